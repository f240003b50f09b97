/**
 * `/_emulator/…`: the fault switches over HTTP for out-of-process tests. No auth; never a fault
 * target; not logged.
 */
import type { Ctx } from '../core.js';
import { errors } from '../errors.js';
import { readJson, sendJson, drain } from '../http.js';
import type { DropRule, FailRule } from '../faults.js';

function regex(value: unknown, key: string): RegExp {
  if (typeof value !== 'string' || value === '') throw errors.invalid(`'${key}' must be a regular expression string`);
  try {
    return new RegExp(value);
  } catch (error) {
    throw errors.invalid(`'${key}' is not a valid regular expression: ${(error as Error).message}`);
  }
}

function int(value: unknown, key: string, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) throw errors.invalid(`'${key}' must be an integer >= ${min}`);
  return value;
}

export async function handleControl(ctx: Ctx, action: string): Promise<void> {
  const { faults } = ctx.core;
  const method = ctx.req.method ?? 'GET';
  if (action === 'requests') {
    if (method !== 'GET') throw errors.methodNotAllowed(method);
    return sendJson(ctx.res, 200, faults.requests());
  }
  if (method !== 'POST') throw errors.methodNotAllowed(method);
  const ok = () => sendJson(ctx.res, 200, { ok: true });
  switch (action) {
    case 'fail': {
      const body = await readJson(ctx.req);
      const status = int(body.status, 'status', 100);
      if (status > 599) throw errors.invalid("'status' must be an HTTP status");
      const rule: FailRule = { path: regex(body.path, 'path'), status, times: int(body.times ?? 1, 'times', 1) };
      if (body.method !== undefined) {
        if (typeof body.method !== 'string') throw errors.invalid("'method' must be a string");
        rule.method = body.method;
      }
      if (body.retryAfter !== undefined) rule.retryAfter = int(body.retryAfter, 'retryAfter', 0);
      if (body.afterEffect !== undefined) {
        if (typeof body.afterEffect !== 'boolean') throw errors.invalid("'afterEffect' must be a boolean");
        rule.afterEffect = body.afterEffect;
      }
      faults.failNext(rule);
      return ok();
    }
    case 'drop': {
      const body = await readJson(ctx.req);
      if (body.at !== 'before' && body.at !== 'after' && body.at !== 'mid-body') throw errors.invalid("'at' must be before, after or mid-body");
      const rule: DropRule = { path: regex(body.path, 'path'), times: int(body.times ?? 1, 'times', 1), at: body.at };
      if (body.method !== undefined) {
        if (typeof body.method !== 'string') throw errors.invalid("'method' must be a string");
        rule.method = body.method;
      }
      faults.dropNext(rule);
      return ok();
    }
    case 'chaos': {
      const body = await readJson(ctx.req);
      if (typeof body.rate !== 'number' || !(body.rate >= 0 && body.rate <= 1)) throw errors.invalid("'rate' must be a number from 0 to 1");
      faults.chaos({ rate: body.rate, seed: int(body.seed ?? 1, 'seed', 0) });
      return ok();
    }
    case 'delay': {
      const body = await readJson(ctx.req);
      faults.delay({ path: regex(body.path, 'path'), ms: int(body.ms, 'ms', 0) });
      return ok();
    }
    case 'release-delays':
      await drain(ctx.req);
      faults.releaseDelays();
      return ok();
    case 'cut-upload': {
      const body = await readJson(ctx.req);
      faults.cutUploadAfter(int(body.afterBytes, 'afterBytes', 0));
      return ok();
    }
    case 'expire-tokens':
      await drain(ctx.req);
      ctx.core.auth.expireAccessTokens();
      return ok();
    case 'revoke-refresh-tokens':
      await drain(ctx.req);
      ctx.core.auth.revokeAllFamilies();
      return ok();
    case 'reset':
      await drain(ctx.req);
      faults.reset();
      return ok();
    case 'login-token':
      await drain(ctx.req);
      return sendJson(ctx.res, 200, { loginToken: ctx.core.mintLoginToken() });
    default:
      throw errors.notFound(`/_emulator/${action}`);
  }
}
