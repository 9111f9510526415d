// Entry point: mounts the app into #app. Styles are bundled by Vite.
import { render } from 'preact';
import { App } from './app.tsx';
import { lang } from './i18n/i18n.ts';
import './styles.css';

document.documentElement.lang = lang();
const root = document.getElementById('app');
if (root !== null) render(<App />, root);
