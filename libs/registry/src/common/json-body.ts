import { isUtf8 } from 'node:buffer';
import type { INestApplication } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { RequestMethod } from '@nestjs/common';
import { ModulesContainer, Reflector } from '@nestjs/core';
import type { NextFunction, Request, Response } from 'express';
import { PUBLIC_ROUTE } from '../access/auth.decorators.js';
import { DomainError, ErrorCode } from './errors.js';

// Bounds on the shape of a JSON body, checked on the raw bytes before JSON.parse (and so long
// before class-transformer and class-validator, which walk the parsed value recursively). The
// largest legitimate body (a case with its inline patient, or a visit with every PROM) nests 3
// levels, holds about 150 members and elements, and its largest object has 36 members.
// `maxMembers` bounds one object: class-transformer de-duplicates an object's keys in quadratic
// time (19,000 keys cost it 1 s of CPU), before any validation can refuse them.
export const JSON_BODY_LIMITS = { maxDepth: 32, maxEntries: 20_000, maxMembers: 1_000 } as const;

export interface JsonStructureProblem {
  code: 'too_deep' | 'too_many_entries' | 'too_many_members';
  message: string;
}

// One pass over the bytes, no recursion, one small array: depth is the count of open `{`/`[`,
// entries the count of containers and commas (≥ the members and elements there are), and an
// object's members the commas at its level, all outside strings. Structural characters are ASCII,
// and in UTF-8 no byte of a multi-byte character is, so scanning bytes is exact. Malformed JSON is
// left for JSON.parse to refuse.
export function checkJsonStructure(
  body: Uint8Array,
  limits: { maxDepth: number; maxEntries: number; maxMembers: number } = JSON_BODY_LIMITS,
): JsonStructureProblem | undefined {
  let depth = 0;
  let entries = 0;
  // Per open container: -1 for an array, else the commas seen in that object so far.
  const commas = new Int32Array(limits.maxDepth + 2);
  const length = body.length;
  for (let i = 0; i < length; i++) {
    const byte = body[i];
    if (byte === 0x22) {
      // a string: skip to its closing quote, stepping over escapes
      for (i++; i < length; i++) {
        const inner = body[i];
        if (inner === 0x5c) i++;
        else if (inner === 0x22) break;
      }
    } else if (byte === 0x7b || byte === 0x5b) {
      if (++depth > limits.maxDepth)
        return {
          code: 'too_deep',
          message: `the body nests objects and arrays deeper than ${limits.maxDepth} levels`,
        };
      commas[depth] = byte === 0x7b ? 0 : -1;
      if (++entries > limits.maxEntries) return tooMany(limits.maxEntries);
    } else if (byte === 0x7d || byte === 0x5d) {
      if (depth > 0) depth--;
    } else if (byte === 0x2c) {
      if (++entries > limits.maxEntries) return tooMany(limits.maxEntries);
      if (commas[depth] >= 0 && ++commas[depth] >= limits.maxMembers)
        return {
          code: 'too_many_members',
          message: `an object in the body has more than ${limits.maxMembers} members`,
        };
    }
  }
  return undefined;
}

function tooMany(max: number): JsonStructureProblem {
  return { code: 'too_many_entries', message: `the body holds more than ${max} members and elements` };
}

// Thrown from body-parser's `verify` hook: body-parser wraps it (status 403, the raw body attached),
// and `errors` below swaps it for the domain error it carries, before any exception filter.
class RefusedBody extends Error {
  constructor(readonly problem: DomainError) {
    super(problem.detail);
  }
}

function limitBytes(limit: string): number {
  const match = /^(\d+)(kb|mb)$/i.exec(limit);
  if (!match) throw new Error(`not a body limit: ${limit}`);
  return Number(match[1]) * (match[2].toLowerCase() === 'mb' ? 1024 * 1024 : 1024);
}

function tooLarge(limit: string): DomainError {
  return new DomainError(
    ErrorCode.PayloadTooLarge,
    `The request body is larger than the service accepts here (${limit} without credentials).`,
  );
}

interface Route {
  method: string;
  pattern: RegExp;
}

// Every controller route that requires credentials, from the same metadata the AuthGuard reads (Nest's
// route constants and the module container; input-bounds.e2e.spec.ts fails if this stops finding them).
function authenticatedRoutes(app: INestApplication): Route[] {
  const reflector = app.get(Reflector);
  const routes: Route[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => object) | undefined;
      if (!controller?.prototype) continue;
      const base = (Reflect.getMetadata(PATH_METADATA, controller) as string | undefined) ?? '';
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = Object.getOwnPropertyDescriptor(controller.prototype, name)?.value as unknown;
        if (typeof handler !== 'function') continue;
        const path = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
        if (path === undefined) continue;
        if (reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [handler, controller])) continue;
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
        for (const one of Array.isArray(path) ? path : [path]) {
          const full = `/${base}/${one}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
          const source = full
            .split('/')
            .map((part) => (part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
            .join('/');
          routes.push({ method, pattern: new RegExp(`^${source}/?$`, 'i') });
        }
      }
    }
  }
  return routes;
}

export interface JsonBodyGuard {
  // Before the body parser: refuses a declared length over the limit that applies, unread.
  limit: (request: Request, response: Response, next: NextFunction) => void;
  // body-parser's `verify` hook: the same limit on the bytes read, valid UTF-8, then the structure.
  verify: (request: Request, response: Response, body: Buffer, encoding: string) => void;
  // Right after the body parser: turns a refusal from `verify` into its problem.
  errors: (error: unknown, request: Request, response: Response, next: NextFunction) => void;
}

// JSON bodies get config.bodyLimit only on a route that requires credentials and from a request
// that presents some; the login, every other public route and anonymous requests get the smaller
// config.unauthenticatedBodyLimit. Either way the body must be UTF-8 (RFC 8259 § 8.1) and within
// JSON_BODY_LIMITS.
export function jsonBodyGuard(
  app: INestApplication,
  config: { bodyLimit: string; unauthenticatedBodyLimit: string },
): JsonBodyGuard {
  const small = limitBytes(config.unauthenticatedBodyLimit);
  let routes: Route[] | undefined;
  const allowsLarge = (request: Request) => {
    if (!request.headers.authorization) return false;
    routes ??= authenticatedRoutes(app);
    return routes.some((route) => route.method === request.method && route.pattern.test(request.path));
  };
  return {
    limit(request, _response, next) {
      const declared = Number(request.headers['content-length']);
      if (declared > small && !allowsLarge(request)) next(tooLarge(config.unauthenticatedBodyLimit));
      else next();
    },
    verify(request, _response, body, encoding) {
      if (body.length > small && !allowsLarge(request))
        throw new RefusedBody(tooLarge(config.unauthenticatedBodyLimit));
      // RFC 8259 § 8.1: JSON between systems is UTF-8. body-parser would decode UTF-16/32 too.
      if (!/^utf-?8$/i.test(encoding))
        throw new RefusedBody(new DomainError(ErrorCode.UnsupportedMediaType, 'JSON bodies must be UTF-8.'));
      if (!isUtf8(body))
        throw new RefusedBody(
          DomainError.validation(
            [{ field: '', code: 'invalid_encoding', message: 'the body is not valid UTF-8' }],
            'The request body is not valid UTF-8.',
          ),
        );
      const problem = checkJsonStructure(body);
      if (problem)
        throw new RefusedBody(
          DomainError.validation(
            [{ field: '', ...problem }],
            `The request body is refused before parsing: ${problem.message}.`,
          ),
        );
    },
    errors(error, _request, _response, next) {
      next(error instanceof RefusedBody ? error.problem : error);
    },
  };
}
