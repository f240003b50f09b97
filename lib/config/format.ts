/** Problems as people read them: one per entry, with where the value came from and the hint. */
import type { ConfigProblem } from './types.js';

export function formatProblem(problem: ConfigProblem): string {
  const where = problem.source && problem.source !== problem.path ? ` (${problem.source})` : '';
  return `${problem.severity}: ${problem.path}${where}: ${problem.message}\n  hint: ${problem.hint}`;
}

export function formatProblems(problems: readonly ConfigProblem[]): string {
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.length - errors;
  const lines = problems.map(formatProblem);
  const summary = `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`;
  return lines.length > 0 ? `${lines.join('\n')}\n${summary}` : 'no problems';
}

export function hasErrors(problems: readonly ConfigProblem[]): boolean {
  return problems.some((p) => p.severity === 'error');
}
