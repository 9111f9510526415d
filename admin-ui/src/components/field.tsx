/** A labelled text input bound to one string value: the form screens' building block. */
interface TextFieldProps {
  readonly label: string;
  readonly value: string;
  readonly onValue: (value: string) => void;
  readonly name?: string;
  readonly type?: 'text' | 'date' | 'tel' | 'search' | 'password' | 'number';
  readonly required?: boolean;
  readonly wide?: boolean;
  readonly placeholder?: string;
  readonly maxLength?: number;
  readonly autoFocus?: boolean;
}

export function TextField({ label, value, onValue, name, type = 'text', required, wide, placeholder, maxLength, autoFocus }: TextFieldProps) {
  return (
    <label class={wide === true ? 'field grow' : 'field'}>
      <span>{label}{required === true ? ' *' : ''}</span>
      <input type={type} name={name} value={value} required={required} placeholder={placeholder} maxLength={maxLength} autoFocus={autoFocus}
        onInput={(event) => onValue(event.currentTarget.value)} data-testid={name === undefined ? undefined : `field-${name}`} />
    </label>
  );
}

interface ChoiceProps<T extends string> {
  readonly label: string;
  readonly value: T;
  readonly options: ReadonlyArray<{ readonly value: T; readonly label: string }>;
  readonly onValue: (value: T) => void;
  readonly name: string;
}

/** A radio group drawn as segmented buttons (arrow keys move within it, as radios do). */
export function Choice<T extends string>({ label, value, options, onValue, name }: ChoiceProps<T>) {
  return (
    <fieldset class="choice" data-testid={`choice-${name}`}>
      <legend>{label}</legend>
      {options.map((option) => (
        <label key={option.value} class={option.value === value ? 'on' : ''}>
          <input type="radio" name={name} value={option.value} checked={option.value === value} onChange={() => onValue(option.value)} />
          {option.label}
        </label>
      ))}
    </fieldset>
  );
}
