-- A decision on a grade rule rewrites a point's NX point and rule, never a column an index holds.
-- Room left on each page lets that rewrite stay on the page (a heap-only update), so the
-- point's four indexes are not written again. Applies to pages written from now on.
ALTER TABLE "assessments" SET (fillfactor = 80);
