import { Group, Kbd, Modal, Stack, Table, Text } from "@mantine/core";
import { useNavigate } from "@tanstack/react-router";
import { Fragment, useEffect, useRef } from "react";

import { isTyping } from "./paletteSearch";

/** Every keyboard shortcut in the app, by where it works. Keep in step with the views that handle them. */
export const SHORTCUTS: { where: string; keys: string[][]; what: string }[] = [
  { where: "Anywhere", keys: [["Ctrl", "K"], ["⌘", "K"]], what: "Open the command palette: jump to a run, pipeline, artifact, step or page" },
  { where: "Anywhere", keys: [["?"]], what: "Show these shortcuts" },
  { where: "Anywhere", keys: [["g", "r"]], what: "Go to the runs" },
  { where: "Anywhere", keys: [["g", "p"]], what: "Go to the pipelines" },
  { where: "Anywhere", keys: [["g", "a"]], what: "Go to the artifacts" },
  { where: "Search boxes", keys: [["↑"], ["↓"]], what: "Pick a suggestion" },
  { where: "Search boxes", keys: [["Tab"], ["Enter"]], what: "Take the suggestion; Enter without one searches" },
  { where: "DAG view", keys: [["Ctrl", "K"], ["⌘", "K"], ["/"]], what: "Find a step, while the graph has focus" },
  { where: "DAG view", keys: [["↑"], ["↓"], ["Enter"]], what: "In the step finder: pick a match and go to it" },
  { where: "Timeline view", keys: [["↑"], ["↓"]], what: "Select the previous or next step" },
  { where: "Timeline view", keys: [["Home"], ["End"]], what: "Select the first or last step" },
  { where: "Timeline view", keys: [["+"], ["-"]], what: "Zoom in or out" },
  { where: "Timeline view", keys: [["0"]], what: "Zoom to fit the whole run" },
  { where: "Timeline view", keys: [["Esc"]], what: "Clear the selection" },
  { where: "Logs", keys: [["Enter"], ["Shift", "Enter"]], what: "Next or previous search hit (in the log search box)" },
  { where: "Logs", keys: [["Esc"]], what: "Clear the log search" },
  { where: "Dialogs", keys: [["Esc"]], what: "Close" },
];

function Keys({ keys }: { keys: string[][] }) {
  return (
    <Group gap={6} wrap="nowrap">
      {keys.map((combo, i) => (
        <Fragment key={combo.join("+")}>
          {i > 0 && (
            <Text span fz="xs" c="dimmed">
              or
            </Text>
          )}
          <Group gap={2} wrap="nowrap">
            {combo.map((k) => (
              <Kbd key={k} size="xs">
                {k}
              </Kbd>
            ))}
          </Group>
        </Fragment>
      ))}
    </Group>
  );
}

/** The `?` help: every shortcut, grouped by where it works. */
export function ShortcutsHelp({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  let last = "";
  return (
    <Modal opened={opened} onClose={onClose} title="Keyboard shortcuts" size="lg">
      <Stack gap="xs">
        <Table verticalSpacing={6} withRowBorders={false}>
          <Table.Tbody>
            {SHORTCUTS.map((s) => {
              const head = s.where !== last;
              last = s.where;
              return (
                <Fragment key={`${s.where}:${s.what}`}>
                  {head && (
                    <Table.Tr>
                      <Table.Td colSpan={2} pt="sm">
                        <Text fz="xs" fw={600} c="dimmed" tt="uppercase">
                          {s.where}
                        </Text>
                      </Table.Td>
                    </Table.Tr>
                  )}
                  <Table.Tr>
                    <Table.Td w={190}>
                      <Keys keys={s.keys} />
                    </Table.Td>
                    <Table.Td>
                      <Text fz="sm">{s.what}</Text>
                    </Table.Td>
                  </Table.Tr>
                </Fragment>
              );
            })}
          </Table.Tbody>
        </Table>
      </Stack>
    </Modal>
  );
}

/** How long after `g` the second key of a `g r` sequence counts. */
const SEQUENCE_MS = 1000;

/**
 * The app-wide keys, on window so they work wherever focus is: Ctrl/⌘-K (unless a view
 * handled it first and called preventDefault, as the DAG's find-step does), and, when not
 * typing in a field, `?`, `g r`, `g p`, `g a`.
 */
export function useAppShortcuts({ openPalette, openHelp, paused }: { openPalette: () => void; openHelp: () => void; paused: boolean }) {
  const navigate = useNavigate();
  const pending = useRef(0);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented) return;
      if ((event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey && event.key.toLowerCase() === "k") {
        event.preventDefault();
        openPalette();
        return;
      }
      if (paused || event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
      if (event.key === "?") {
        event.preventDefault();
        openHelp();
        return;
      }
      const sequence = Date.now() - pending.current < SEQUENCE_MS;
      pending.current = 0;
      if (sequence && event.key === "r") void navigate({ to: "/runs" });
      else if (sequence && event.key === "p") void navigate({ to: "/pipelines" });
      else if (sequence && event.key === "a") void navigate({ to: "/artifacts" });
      else if (event.key === "g") pending.current = Date.now();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [navigate, openPalette, openHelp, paused]);
}
