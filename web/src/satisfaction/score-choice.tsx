/** The five answers of a satisfaction survey, best first. */
export const scoreLabels: Record<number, string> = {
  5: 'Very good',
  4: 'Good',
  3: 'Fair',
  2: 'Poor',
  1: 'Very poor',
};

/** The score as radio buttons with their words (one group, a legend, keyboard-operable). */
export function ScoreChoice(props: {
  name: string;
  value: number | undefined;
  onChange: (score: number) => void;
}) {
  return (
    <fieldset className="radio-group">
      <legend>How did we do?</legend>
      {[5, 4, 3, 2, 1].map((score) => (
        <label key={score} className="radio">
          <input
            type="radio"
            name={props.name}
            value={score}
            checked={props.value === score}
            onChange={() => props.onChange(score)}
          />
          <span>
            {score} – {scoreLabels[score]}
          </span>
        </label>
      ))}
    </fieldset>
  );
}
