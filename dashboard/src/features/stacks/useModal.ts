import { useState } from "react";

/**
 * What a modal shows, kept while it closes: its title and form stay through the closing
 * transition (cleared once it ends), so a closing modal never flashes empty.
 */
export function useModal<T>() {
  const [subject, setSubject] = useState<T | null>(null);
  const [opened, setOpened] = useState(false);
  const [times, setTimes] = useState(0);
  return {
    subject,
    opened,
    /** Changes with every opening: the content's key, so each opening starts afresh. */
    key: times,
    open: (value: T) => {
      setSubject(value);
      setOpened(true);
      setTimes((n) => n + 1);
    },
    close: () => setOpened(false),
    /** For Modal's onExitTransitionEnd. */
    clear: () => setSubject(null),
  };
}
