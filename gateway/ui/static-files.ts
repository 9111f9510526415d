/**
 * Serves the operator UI's built files (admin-ui/dist) at `/`: each file with its content type, hashed
 * assets cached for a year, everything else revalidated, and any other GET path answered with index.html so
 * the single-page app's own routes (/desk, /calendar, ...) survive a reload. The files are read into memory
 * once (requests never touch the disk, so no path can escape the directory); while the directory is missing
 * every request looks again, and a page says how to build it.
 *
 * Bounds: at most `staticFilesMax` files and `staticBytesMax` bytes are loaded; more is a build problem,
 * logged and refused rather than served partly.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import type { HttpResponse, TemplatedApp } from 'uWebSockets.js';

export const staticFilesMax = 2_000;
export const staticBytesMax = 64 * 1024 * 1024;

const contentTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** The page's own script, styles and socket only; inline style attributes are how Preact sets sizes. */
/**
 * The UI's policy: its own scripts and styles only, and `connect-src` to its own origin — the API over http(s)
 * and the operator socket at ws(s)://<the host the page came from>, not any ws:/wss: host (which would let an
 * injected script send data anywhere over a WebSocket).
 */
export function contentSecurityPolicyFor(host: string): string {
  const own = /^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(host) ? ` ws://${host} wss://${host}` : '';
  return `default-src 'self'; connect-src 'self'${own}; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'`;
}

interface StaticFile {
  readonly bytes: Buffer;
  readonly contentType: string;
  readonly cacheControl: string;
}

export class StaticSite {
  readonly #directory: string;
  #files: Map<string, StaticFile> | undefined;

  constructor(directory: string) {
    this.#directory = directory;
  }

  /** The file for a URL path, index.html for an app route, or undefined while the UI is not built. */
  lookup(urlPath: string): StaticFile | undefined {
    const files = this.#load();
    if (files === undefined) return undefined;
    const key = urlPath === '/' ? 'index.html' : urlPath.replace(/^\/+/, '');
    const file = files.get(key);
    if (file !== undefined) return file;
    // A missing asset is a 404 (a stale page after a deploy should fail loudly, not get HTML as script).
    if (key.startsWith('assets/') || extname(key) !== '') return undefined;
    return files.get('index.html');
  }

  get built(): boolean {
    return this.#load() !== undefined;
  }

  #load(): Map<string, StaticFile> | undefined {
    if (this.#files !== undefined) return this.#files;
    if (!existsSync(join(this.#directory, 'index.html'))) return undefined;
    const files = new Map<string, StaticFile>();
    let bytes = 0;
    for (const path of walk(this.#directory)) {
      const body = readFileSync(path);
      bytes += body.length;
      if (files.size >= staticFilesMax || bytes > staticBytesMax) throw new Error(`${this.#directory} holds more than ${staticFilesMax} files or ${staticBytesMax} bytes`);
      const key = relative(this.#directory, path).split(sep).join('/');
      files.set(key, {
        bytes: body,
        contentType: contentTypes[extname(path)] ?? 'application/octet-stream',
        cacheControl: key.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      });
    }
    this.#files = files;
    return files;
  }
}

function* walk(directory: string): Generator<string> {
  for (const name of readdirSync(directory)) {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) yield* walk(path);
    else yield path;
  }
}

const notBuiltPage = '<!doctype html><meta charset="utf-8"><title>clinic-dispatch</title><p>The operator UI is not built yet: run <code>npm run build:ui</code> (npm start does it when admin-ui/dist is missing).</p>';

/** Mounts `GET /*`; uWS prefers the more specific routes (/api/*, /ws, /metrics), so they keep theirs. */
export function mountStaticSite(app: TemplatedApp, site: StaticSite): void {
  app.get('/*', (res, req) => {
    const url = req.getUrl();
    const host = req.getHeader('host');
    const file = site.lookup(url);
    if (file === undefined) {
      const status = site.built ? '404 Not Found' : '503 Service Unavailable';
      res.cork(() => res.writeStatus(status).writeHeader('Content-Type', 'text/html; charset=utf-8').end(site.built ? 'not found' : notBuiltPage));
      return;
    }
    send(res, file, host);
  });
}

function send(res: HttpResponse, file: StaticFile, host: string): void {
  res.cork(() => {
    res.writeHeader('Content-Type', file.contentType);
    res.writeHeader('Cache-Control', file.cacheControl);
    res.writeHeader('X-Content-Type-Options', 'nosniff');
    res.writeHeader('Content-Security-Policy', contentSecurityPolicyFor(host));
    res.writeHeader('Referrer-Policy', 'no-referrer');
    res.end(file.bytes);
  });
}
