/** A person or program shown by name (username, client name), its id kept in the title and, with `showId`, beside it. */
export function Person({ name, id, showId = false }: { name?: string | null; id: string | null | undefined; showId?: boolean }) {
  if (!id) return <>—</>;
  if (!name || name === id) return <span className="person">{id}</span>;
  return (
    <span className="person" title={id}>
      {name}
      {showId && <span className="person-id"> {id}</span>}
    </span>
  );
}
