import { AsyncLocalStorage } from 'node:async_hooks';

// Per-request context (correlation id, caller) carried through async calls, so that logs, audit
// events and error bodies can name the request without threading it through every signature.
// Node's AsyncLocalStorage directly, not nestjs-cls (which wraps it): nestjs-cls 6 is CommonJS that
// require()s the ESM-only @nestjs/common 12, which Node 20.19+ allows but Jest 30 cannot load before
// Node 24.9 (Papooch/nestjs-cls#631), so no e2e test could boot the app; nestjs-cls 7 ships ESM but
// needs Node 22, above this project's Node 20.19.
export interface RequestContext {
  correlationId: string;
  userId?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

export const requestContext = {
  run<T>(context: RequestContext, fn: () => T): T {
    return storage.run(context, fn);
  },
  get(): RequestContext | undefined {
    return storage.getStore();
  },
  correlationId(): string | undefined {
    return storage.getStore()?.correlationId;
  },
  setUser(userId: string): void {
    const store = storage.getStore();
    if (store) store.userId = userId;
  },
};
