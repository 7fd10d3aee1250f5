import { Select } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { useMemo } from "react";

import { accessQueries } from "../../api/access";
import { setActiveProject, useActiveProject } from "../../api/project";
import { byWorkspace } from "./permissions";

const ALL = "*";

/**
 * The project the dashboard works in, in the header: the projects the caller can see,
 * grouped by workspace, and "All projects". The choice goes in the URL (`?project=`).
 */
export function ProjectSwitcher() {
  const projects = useQuery(accessQueries.projects());
  const active = useActiveProject();
  const navigate = useNavigate();
  const data = useMemo(() => {
    const groups = byWorkspace(projects.data ?? []).map((g) => ({
      group: g.workspace,
      items: g.projects.map((p) => ({ value: `${p.workspace}/${p.name}`, label: `${p.workspace}/${p.name}` })),
    }));
    const known = groups.some((g) => g.items.some((i) => i.value === active));
    // A project from the URL that the list does not (yet) hold still shows by its path.
    const extra = active && !known ? [{ group: active.split("/")[0] ?? "", items: [{ value: active, label: active }] }] : [];
    return [{ group: "", items: [{ value: ALL, label: "All projects" }] }, ...groups, ...extra];
  }, [projects.data, active]);

  if (!projects.data?.length && !active) return null;
  const choose = (value: string | null) => {
    const project = value && value !== ALL ? value : undefined;
    setActiveProject(project);
    void navigate({ to: ".", search: (prev: Record<string, unknown>) => ({ ...prev, project, page: undefined }) as never, replace: false });
  };
  return (
    <Select
      aria-label="Project"
      data-testid="project-switcher"
      size="xs"
      w={{ base: 140, sm: 200 }}
      data={data}
      value={active ?? ALL}
      onChange={choose}
      allowDeselect={false}
      searchable
      comboboxProps={{ width: 260, position: "bottom-start" }}
      // Under its workspace's heading, a project shows by its own name.
      renderOption={({ option }) => (option.value === ALL ? <b>{option.label}</b> : option.label.slice(option.label.indexOf("/") + 1))}
    />
  );
}
