/**
 * A real Chromium for the folder page's specs: Debian's `chromium` package driven by
 * puppeteer-core (which never downloads a browser of its own). Headless, and without Chromium's
 * own sandbox because CI runs as root, where Chromium refuses to start with it.
 */
import assert from 'node:assert/strict';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { findBinary, requireBinary } from './required-binary.js';
import type { Stack } from './stack.js';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/** The Chromium binary, or undefined when it is not installed. */
export function findChromium(): string | undefined {
  return findBinary(...CANDIDATES);
}

/**
 * For a spec that needs Chromium: under CI a missing browser fails the spec (CI installs it);
 * elsewhere the spec is marked pending with the reason, never passed silently.
 */
export function requireChromium(ctx: Mocha.Context): string {
  return requireBinary(ctx, findChromium(), 'chromium', 'chromium');
}

export async function launchChromium(executablePath: string): Promise<Browser> {
  return puppeteer.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--lang=en-US', '--no-first-run', '--disable-gpu'],
  });
}

/** A page logged in to the stack with Basic credentials, as a person typing them in the browser's prompt. */
export async function openPage(browser: Browser, stack: Stack, options: { width?: number; height?: number } = {}): Promise<Page> {
  const page = await browser.newPage();
  await page.setViewport({ width: options.width ?? 1100, height: options.height ?? 700, deviceScaleFactor: 1 });
  await page.authenticate({ username: stack.user, password: stack.password });
  return page;
}

/** Collects what went wrong in a page: Content-Security-Policy violations and uncaught errors. */
export function watchPageProblems(page: Page): string[] {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  page.on('pageerror', (error) => violations.push(`page error: ${String(error)}`));
  return violations;
}
