/** The reply shape of a call: a copy the caller may keep, with times as epoch ms (the gateway formats them). */
import type { HomeCall } from './home-call.ts';

export type CallView = Readonly<Omit<HomeCall, 'history'>> & { readonly history: HomeCall['history'] };

export function callView(call: HomeCall): CallView {
  return { ...call, history: call.history.slice() };
}
