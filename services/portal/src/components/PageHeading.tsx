import { useEffect, useRef, type ReactNode } from 'react';

/**
 * The page's h1. On every page change it takes focus (and names the document), so screen-reader
 * and keyboard users land at the top of the new page instead of somewhere in the old one.
 */
export function PageHeading({ children, title }: { children: ReactNode; title?: string }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    const text = title ?? ref.current?.textContent ?? '';
    document.title = text ? `${text} – Tierline` : 'Tierline';
    ref.current?.focus({ preventScroll: false });
  }, [title]);
  return (
    <h1 ref={ref} tabIndex={-1} className="page-heading">
      {children}
    </h1>
  );
}
