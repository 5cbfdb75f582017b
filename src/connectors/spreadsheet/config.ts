import { z } from 'zod';

const subjectSchema = z.object({
  code: z.string().trim().min(1).max(40),
  name: z.string().trim().min(1).max(80),
  aliases: z.array(z.string().trim().min(1).max(80)).max(20).optional(),
});

/** What a school's spreadsheet source can be told; every field may be left out. */
export const spreadsheetConfigSchema = z.object({
  /** 'auto' tells the layout from the headers: "Subject" and "Value" columns make it long. */
  layout: z.enum(['auto', 'wide', 'long']).optional(),
  /** The collection for rows that have no "Collection" or "Term" cell ("Autumn 2025"). */
  periodLabel: z.string().trim().min(1).max(100).optional(),
  /** Excel limits a worksheet name to 31 characters. */
  sheetName: z.string().trim().min(1).max(31).optional(),
  /** The subjects to read, when the trust collects more than reading, writing and maths. */
  subjects: z.array(subjectSchema).min(1).max(30).optional(),
});

export type SpreadsheetConfig = z.infer<typeof spreadsheetConfigSchema>;

/** A file upload has nothing secret to keep. */
export const spreadsheetSecretsSchema = z.strictObject({});
