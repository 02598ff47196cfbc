import { useEffect, useState } from 'react';

/** `value`, once it has stopped changing for `ms` (e.g. what is typed, before asking the server about it). */
export function useSettled<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return settled;
}
