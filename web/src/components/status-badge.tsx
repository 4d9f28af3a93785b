/** A run's or task's status as a coloured label (the colours are in styles.css, one per status). */
export function StatusBadge({ status, title }: { status: string; title?: string }) {
  return (
    <span className={`status status-${status}`} title={title ?? status}>
      {status}
    </span>
  );
}
