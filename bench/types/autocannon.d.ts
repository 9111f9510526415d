// A minimal declaration of the parts of autocannon 8 the bench uses (the package ships no types and
// @types/autocannon is not installed). Only what bench/load/autocannon-worker.ts calls is declared.
declare module 'autocannon' {
  namespace autocannon {
    interface RawRequest {
      method?: string;
      path?: string;
      headers?: { [name: string]: string };
      body?: string | Buffer;
    }
    type Context = { [key: string]: unknown };
    interface RequestSpec {
      method?: string;
      path?: string;
      headers?: { [name: string]: string };
      body?: string;
      setupRequest?: (request: RawRequest, context: Context) => RawRequest | undefined;
      onResponse?: (status: number, body: string, context: Context) => void;
    }
    interface Options {
      url: string;
      connections?: number;
      duration?: number;
      pipelining?: number;
      timeout?: number;
      method?: string;
      headers?: { [name: string]: string };
      body?: string;
      requests?: RequestSpec[];
      initialContext?: Context;
      overallRate?: number;
    }
    interface Stats {
      average: number;
      mean: number;
      stddev: number;
      min: number;
      max: number;
      total: number;
      sent?: number;
      p2_5: number;
      p50: number;
      p75: number;
      p90: number;
      p97_5: number;
      p99: number;
      p99_9: number;
    }
    interface Result {
      title?: string;
      url: string;
      requests: Stats;
      latency: Stats;
      throughput: Stats;
      duration: number;
      errors: number;
      timeouts: number;
      mismatches: number;
      non2xx: number;
      resets: number;
      '1xx': number;
      '2xx': number;
      '3xx': number;
      '4xx': number;
      '5xx': number;
      statusCodeStats: { [status: string]: { count: number } };
    }
  }
  function autocannon(options: autocannon.Options): Promise<autocannon.Result>;
  export default autocannon;
}
