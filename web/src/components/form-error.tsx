import forms from "./forms.module.css";

/** An error on a form: says what to do; shown as an alert. */
export function FormError(props: { message: string | null }) {
  return props.message ? (
    <p role="alert" className={forms.error}>
      {props.message}
    </p>
  ) : null;
}
