import type { Questionnaire } from './change-api.ts';

/** The risk questionnaire as radio groups; `answers` is question id → option id. */
export function RiskQuestions(props: {
  questionnaire: Questionnaire;
  answers: Record<string, string>;
  onChange: (answers: Record<string, string>) => void;
  errors?: Record<string, string>;
}) {
  const { questionnaire, answers, onChange, errors = {} } = props;
  return (
    <>
      {questionnaire.questions.map((question) => {
        const error = errors[`risk.answers.${question.id}`];
        return (
          <fieldset key={question.id} className="radio-group" aria-invalid={error ? true : undefined}>
            <legend>{question.text}</legend>
            {question.options.map((option) => (
              <label key={option.id} className="radio">
                <input
                  type="radio"
                  name={`risk-${question.id}`}
                  value={option.id}
                  checked={answers[question.id] === option.id}
                  onChange={() => onChange({ ...answers, [question.id]: option.id })}
                />
                {option.label}
              </label>
            ))}
            {error && <p className="field-error">{error}</p>}
          </fieldset>
        );
      })}
    </>
  );
}

/** The level the answers give, as the server computes it (shown before saving). */
export function previewLevel(questionnaire: Questionnaire, answers: Record<string, string>) {
  let score = 0;
  for (const question of questionnaire.questions) {
    const option = question.options.find((o) => o.id === answers[question.id]);
    if (!option) return undefined;
    score += option.weight;
  }
  const { low, medium } = questionnaire.thresholds;
  return { score, level: score <= low ? 'low' : score <= medium ? 'medium' : 'high' };
}
