/**
 * Matching a school's local grade to a Next Steps point through the mapping rules that subject
 * leaders have confirmed (6.1, 6.2). Matching is exact after normalising case and spacing: a
 * spelling variant lands only through an explicit alias rule, so nothing is guessed.
 */

export interface GradeRule {
  id: number;
  ruleKey: string;
  version: number;
  /** Null for the trust-wide library. */
  schoolId: string | null;
  subjectId: number | null;
  aspectId: number | null;
  gradeSet: string | null;
  /** NC year ordinals (Reception 0), both inclusive. */
  yearFrom: number | null;
  yearTo: number | null;
  match: 'value' | 'range' | 'alias';
  /** The local value, for 'value' and 'alias' rules. */
  value: string | null;
  /** Inclusive bounds, for 'range' rules. */
  rangeMin: number | null;
  rangeMax: number | null;
  /** For an alias: the canonical value that this spelling stands for. */
  aliasOf: string | null;
  /** Null for an alias. */
  nxPointId: string | null;
}

export interface LocalGrade {
  schoolId: string;
  subjectId: number;
  aspectId: number;
  gradeSet: string | null;
  value: string;
  yearOrdinal: number | null;
}

export interface GradeMatch {
  nxPointId: string;
  ruleId: number;
  aliasRuleId: number | null;
  reason: string;
}

/** Names to use in a description instead of "this aspect" and "this subject". */
export interface ScopeNames {
  aspect?: string;
  subject?: string;
}

// A plain decimal as trackers export scaled and standardised scores: no units, no thousands
// separators, no exponent, so that "104a" is a local grade and not a score of 104.
const PLAIN_DECIMAL = /^-?\d+(?:\.\d+)?$/;

/** Trims, collapses inner whitespace and upper-cases; deliberately nothing more. */
export function normaliseGradeValue(value: string): string {
  return value.trim().replace(/\s+/g, ' ').toUpperCase();
}

/**
 * The point for a local grade, or null when no confirmed rule covers it. The most specific
 * applicable alias rewrites the value once; value and range rules are then matched against the
 * rewritten value and, failing that, against the value as the school wrote it.
 */
export function mapGrade(rules: readonly GradeRule[], grade: LocalGrade): GradeMatch | null {
  const alias = mostSpecific(rules.filter((rule) => isAlias(rule) && ruleApplies(rule, grade)));
  if (alias?.aliasOf) {
    const rewritten = { ...grade, value: alias.aliasOf };
    const viaAlias = mostSpecificPointRule(rules, rewritten);
    if (viaAlias) return matchOf(viaAlias, alias, rewritten.value);
  }

  const direct = mostSpecificPointRule(rules, grade);
  return direct ? matchOf(direct, null, grade.value) : null;
}

/** Whether the rule's scope, year range and value all cover the grade. */
export function ruleApplies(rule: GradeRule, grade: LocalGrade): boolean {
  return (
    scopeCovers(rule, grade) && yearsCover(rule, grade.yearOrdinal) && valueMatches(rule, grade)
  );
}

/**
 * Orders rules most specific first: negative when `a` should win over `b`. The school's own
 * rules beat the library; then the narrower scope (aspect, grade set, subject, none); then a
 * year range, the narrower the better; then an exact value over a range; then the later
 * confirmation (the higher id).
 */
export function compareSpecificity(a: GradeRule, b: GradeRule): number {
  return (
    Number(b.schoolId !== null) - Number(a.schoolId !== null) ||
    scopeRank(b) - scopeRank(a) ||
    namedScopeCount(b) - namedScopeCount(a) ||
    Number(hasYearRange(b)) - Number(hasYearRange(a)) ||
    yearWidth(a) - yearWidth(b) ||
    Number(b.match === 'value') - Number(a.match === 'value') ||
    b.id - a.id
  );
}

/** Who owns the rule and what it covers: "the school's rule for this aspect, years Y5-Y6". */
export function describeRuleScope(rule: GradeRule, names: ScopeNames = {}): string {
  const owner = rule.schoolId === null ? "the trust library's" : "the school's";
  const kind = isAlias(rule) ? 'alias' : 'rule';
  const years = describeYears(rule.yearFrom, rule.yearTo);
  const scope = `${owner} ${kind} ${describeScopeFields(rule, names)}`;
  return years ? `${scope}, ${years}` : scope;
}

type PointRule = GradeRule & { nxPointId: string };

function mostSpecificPointRule(rules: readonly GradeRule[], grade: LocalGrade): PointRule | null {
  return mostSpecific(rules.filter(isPointRule).filter((rule) => ruleApplies(rule, grade)));
}

function mostSpecific<Rule extends GradeRule>(rules: readonly Rule[]): Rule | null {
  return [...rules].sort(compareSpecificity)[0] ?? null;
}

function matchOf(rule: PointRule, alias: GradeRule | null, value: string): GradeMatch {
  const matched = `Matched ${describeMatch(rule, value)} by ${describeRuleScope(rule)}.`;
  const reason = alias
    ? `Read "${alias.value}" as "${value}" by ${describeRuleScope(alias)}. ${matched}`
    : matched;
  return { nxPointId: rule.nxPointId, ruleId: rule.id, aliasRuleId: alias?.id ?? null, reason };
}

function describeMatch(rule: GradeRule, value: string): string {
  if (rule.match !== 'range') return `"${normaliseGradeValue(value)}"`;
  return `${value.trim()} to the range ${describeRange(rule.rangeMin, rule.rangeMax)}`;
}

// An alias without a canonical value, or a value rule without a point, is half-written: it is
// passed over so that it cannot shadow a complete rule of wider scope.
function isAlias(rule: GradeRule): boolean {
  return rule.match === 'alias' && rule.aliasOf !== null;
}

function isPointRule(rule: GradeRule): rule is PointRule {
  return rule.match !== 'alias' && rule.nxPointId !== null;
}

function scopeCovers(rule: GradeRule, grade: LocalGrade): boolean {
  if (rule.schoolId !== null && rule.schoolId !== grade.schoolId) return false;
  if (rule.subjectId !== null && rule.subjectId !== grade.subjectId) return false;
  if (rule.aspectId !== null && rule.aspectId !== grade.aspectId) return false;
  if (rule.gradeSet === null) return true;
  return grade.gradeSet !== null && sameGradeSet(rule.gradeSet, grade.gradeSet);
}

function sameGradeSet(a: string, b: string): boolean {
  return normaliseGradeValue(a) === normaliseGradeValue(b);
}

// A pupil not following an NC year (X) has no ordinal; a rule written for particular years
// says nothing about them, so it must not land their grades (3.2.3).
function yearsCover(rule: GradeRule, ordinal: number | null): boolean {
  if (!hasYearRange(rule)) return true;
  if (ordinal === null) return false;
  if (rule.yearFrom !== null && ordinal < rule.yearFrom) return false;
  return rule.yearTo === null || ordinal <= rule.yearTo;
}

function valueMatches(rule: GradeRule, grade: LocalGrade): boolean {
  if (rule.match === 'range') return rangeMatches(rule, grade.value);
  if (rule.value === null) return false;
  return normaliseGradeValue(rule.value) === normaliseGradeValue(grade.value);
}

// A missing bound leaves that side open ("110 and above"); a range with neither bound is a
// malformed rule and matches nothing rather than everything.
function rangeMatches(rule: GradeRule, value: string): boolean {
  if (rule.rangeMin === null && rule.rangeMax === null) return false;

  const score = parsePlainDecimal(value);
  if (score === null) return false;
  if (rule.rangeMin !== null && score < rule.rangeMin) return false;
  return rule.rangeMax === null || score <= rule.rangeMax;
}

function parsePlainDecimal(value: string): number | null {
  const text = value.trim();
  return PLAIN_DECIMAL.test(text) ? Number(text) : null;
}

function scopeRank(rule: GradeRule): number {
  if (rule.aspectId !== null) return 3;
  if (rule.gradeSet !== null) return 2;
  if (rule.subjectId !== null) return 1;
  return 0;
}

// Breaks ties within a rank: an aspect rule that also names its grade set is the narrower.
function namedScopeCount(rule: GradeRule): number {
  return [rule.subjectId, rule.aspectId, rule.gradeSet].filter((field) => field !== null).length;
}

function hasYearRange(rule: GradeRule): boolean {
  return rule.yearFrom !== null || rule.yearTo !== null;
}

// An open-ended range is wider than any closed one; no range at all is widest of all.
function yearWidth(rule: GradeRule): number {
  if (rule.yearFrom === null || rule.yearTo === null) return Number.POSITIVE_INFINITY;
  return rule.yearTo - rule.yearFrom;
}

function describeScopeFields(rule: GradeRule, names: ScopeNames): string {
  const parts: string[] = [];
  if (rule.aspectId !== null)
    parts.push(names.aspect ? `the aspect "${names.aspect}"` : 'this aspect');
  else if (rule.subjectId !== null) {
    parts.push(names.subject ? `the subject "${names.subject}"` : 'this subject');
  }
  if (rule.gradeSet !== null) parts.push(`the grade set "${rule.gradeSet}"`);
  return parts.length === 0 ? 'for any subject' : `for ${parts.join(' in ')}`;
}

function describeYears(from: number | null, to: number | null): string | null {
  if (from !== null && to !== null) {
    return from === to ? `year ${yearLabel(from)}` : `years ${yearLabel(from)}-${yearLabel(to)}`;
  }
  if (from !== null) return `from ${yearLabel(from)}`;
  if (to !== null) return `up to ${yearLabel(to)}`;
  return null;
}

// Inverse of ncYearOrdinal, for descriptions only: nursery years sit below Reception (0).
function yearLabel(ordinal: number): string {
  if (ordinal === -2) return 'N1';
  if (ordinal === -1) return 'N2';
  if (ordinal === 0) return 'R';
  return `Y${ordinal}`;
}

function describeRange(min: number | null, max: number | null): string {
  if (min === null) return `up to ${max}`;
  if (max === null) return `${min} and above`;
  return `${min}-${max}`;
}
