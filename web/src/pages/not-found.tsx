export function NotFoundPage() {
  return (
    <section class="narrow">
      <h1>Page not found</h1>
      <p>
        There is nothing here. <a href="/">Browse events</a>.
      </p>
    </section>
  );
}
