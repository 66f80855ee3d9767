import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NextFunction, Request, Response } from 'express';
import express from 'express';
import helmet from 'helmet';

// The web front end (apps/web, built by Vite into dist/web) served by this server at `/`, beside the API.
// - /assets/*: the bundles, content-hashed by Vite, so cached for a year and immutable; a missing one is a 404.
// - any other GET/HEAD outside /api and /health: index.html (the app routes on the client), never cached, with a
//   fresh CSP nonce for the <style> elements Mantine writes.
// - /api/*, /health*: untouched; an unknown API path stays the problem+json 404.

// The API's own paths: never answered with the app.
const API_PATH = /^\/(api|health)(\/|$)/;
const ASSETS = '/assets/';

// dist/web, from apps/api/src (sources, under jest) or dist/apps/api/src (the build).
export function findWebDir(): string | undefined {
  const candidates = ['../../../dist/web', '../../../web'].map((path) => fileURLToPath(new URL(path, import.meta.url)));
  return candidates.find((dir) => existsSync(join(dir, 'index.html')));
}

// Helmet for everything but Swagger UI. The pages run only our own bundled script (no inline script, no eval);
// styles: the bundled stylesheet, plus what Mantine needs at run time — its <style> elements (the theme's CSS
// variables), allowed by this response's nonce only, and `style` attributes (components set CSS variables such as
// `--button-height` on their elements), which CSP cannot allow by nonce: hence `style-src-attr 'unsafe-inline'`.
// Style attributes cannot run script; script stays strictly 'self'.
export function pagesHelmet() {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        styleSrcElem: ["'self'", (_req, res) => `'nonce-${(res as Response).locals.cspNonce as string}'`],
        styleSrcAttr: ["'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        scriptSrcAttr: ["'none'"],
      },
    },
  });
}

// A nonce per response (used only by index.html; harmless elsewhere).
export function cspNonce(_req: Request, res: Response, next: NextFunction): void {
  res.locals.cspNonce = randomBytes(16).toString('base64');
  next();
}

export function webPages(dir: string) {
  const template = readFileSync(join(dir, 'index.html'), 'utf8');
  const assets = express.static(join(dir, 'assets'), {
    immutable: true,
    maxAge: '365d',
    index: false,
    fallthrough: true,
  });
  return (req: Request, res: Response, next: NextFunction): void => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || API_PATH.test(req.path)) return next();
    if (req.path.startsWith(ASSETS)) {
      // Strip the prefix for express.static; a missing asset falls through to the 404 problem.
      const url = req.url;
      req.url = url.slice(ASSETS.length - 1);
      return assets(req, res, () => {
        req.url = url;
        next();
      });
    }
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache');
    res.send(template.replace('__CSP_NONCE__', res.locals.cspNonce as string));
  };
}
