import { type ClsStore, ClsServiceManager } from 'nestjs-cls';

// Per-request context (correlation id, caller) carried through async calls, so that logs, audit
// events and error bodies can name the request without threading it through every signature.
// The store is nestjs-cls's (ClsModule in the app module, its ClsMiddleware first in setup-app.ts
// through correlationAndLogging); outside a request (the export worker, start-up) there is none.
export interface RequestContext {
  correlationId: string;
  userId?: string;
}

interface RequestStore extends ClsStore {
  userId?: string;
}

const cls = () => ClsServiceManager.getClsService<RequestStore>();

export const requestContext = {
  get(): RequestContext | undefined {
    const store = cls();
    if (!store.isActive()) return undefined;
    return { correlationId: store.getId(), userId: store.get('userId') };
  },
  correlationId(): string | undefined {
    const store = cls();
    return store.isActive() ? store.getId() : undefined;
  },
  setUser(userId: string): void {
    const store = cls();
    if (store.isActive()) store.set('userId', userId);
  },
};
