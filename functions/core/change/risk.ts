import * as z from 'zod';
import type { RiskLevel } from './change.ts';

/**
 * The risk questionnaire: each answer carries a weight, the sum is the score, and thresholds
 * turn the score into low / medium / high. Each deployment may bring its own questions.
 */
const Id = z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'lower-case letters, digits and _');

export const RiskQuestionnaire = z
  .object({
    questions: z
      .array(
        z.object({
          id: Id,
          text: z.string().min(1).max(300),
          options: z
            .array(
              z.object({
                id: Id,
                label: z.string().min(1).max(200),
                weight: z.number().int().min(0).max(100),
              }),
            )
            .min(2)
            .max(10),
        }),
      )
      .min(1)
      .max(30),
    /** Highest score that is still low, and still medium; above is high. */
    thresholds: z.object({ low: z.number().int().min(0), medium: z.number().int().min(0) }),
  })
  .refine((q) => q.thresholds.low < q.thresholds.medium, {
    message: 'thresholds.low must be below thresholds.medium',
    path: ['thresholds'],
  })
  .refine((q) => new Set(q.questions.map((x) => x.id)).size === q.questions.length, {
    message: 'question ids must be unique',
    path: ['questions'],
  });
export type RiskQuestionnaire = z.infer<typeof RiskQuestionnaire>;

export const defaultRiskQuestionnaire: RiskQuestionnaire = {
  questions: [
    {
      id: 'reach',
      text: 'Who notices if this change goes wrong?',
      options: [
        { id: 'one_team', label: 'One team', weight: 0 },
        { id: 'department', label: 'A department or site', weight: 2 },
        { id: 'company', label: 'The whole company or customers', weight: 4 },
      ],
    },
    {
      id: 'experience',
      text: 'Has this change been done before?',
      options: [
        { id: 'routine', label: 'Yes, routinely', weight: 0 },
        { id: 'once', label: 'Once or twice', weight: 1 },
        { id: 'never', label: 'Never', weight: 3 },
      ],
    },
    {
      id: 'backout',
      text: 'How hard is backing it out?',
      options: [
        { id: 'minutes', label: 'Minutes, fully reversible', weight: 0 },
        { id: 'hours', label: 'Hours, with effort', weight: 2 },
        { id: 'impossible', label: 'Not possible', weight: 4 },
      ],
    },
    {
      id: 'outage',
      text: 'Does it need a service outage?',
      options: [
        { id: 'none', label: 'No', weight: 0 },
        { id: 'in_window', label: 'Yes, inside a maintenance window', weight: 1 },
        { id: 'business_hours', label: 'Yes, during business hours', weight: 3 },
      ],
    },
    {
      id: 'testing',
      text: 'Was it tested in a non-production environment?',
      options: [
        { id: 'fully', label: 'Fully', weight: 0 },
        { id: 'partly', label: 'Partly', weight: 1 },
        { id: 'untested', label: 'Not at all', weight: 3 },
      ],
    },
  ],
  thresholds: { low: 3, medium: 7 },
};

export interface RiskAssessment {
  readonly score: number;
  readonly level: RiskLevel;
}

/** Scores complete answers; names every unanswered question or unknown option. */
export function assessRisk(
  questionnaire: RiskQuestionnaire,
  answers: Readonly<Record<string, string>>,
): { ok: true; assessment: RiskAssessment } | { ok: false; problems: { path: string; message: string }[] } {
  const problems: { path: string; message: string }[] = [];
  let score = 0;
  for (const question of questionnaire.questions) {
    const answer = answers[question.id];
    const option = question.options.find((o) => o.id === answer);
    if (answer === undefined)
      problems.push({ path: `risk.answers.${question.id}`, message: 'is not answered' });
    else if (!option)
      problems.push({
        path: `risk.answers.${question.id}`,
        message: `must be one of ${question.options.map((o) => o.id).join(', ')}`,
      });
    else score += option.weight;
  }
  for (const id of Object.keys(answers))
    if (!questionnaire.questions.some((q) => q.id === id))
      problems.push({ path: `risk.answers.${id}`, message: 'is not a question of the questionnaire' });
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, assessment: { score, level: levelOf(questionnaire, score) } };
}

/** The level a score reaches under the questionnaire's thresholds. */
export function levelOf(questionnaire: RiskQuestionnaire, score: number): RiskLevel {
  const { low, medium } = questionnaire.thresholds;
  return score <= low ? 'low' : score <= medium ? 'medium' : 'high';
}
