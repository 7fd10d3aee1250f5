import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";

import { accessQueries } from "../../api/access";
import { type Where, anywhere, can } from "./permissions";

/**
 * What the caller may do (GET /access/me), for deciding which controls to show; the server
 * refuses the rest anyway. While it loads, nothing guarded shows.
 */
export function useAccess() {
  const me = useQuery(accessQueries.me());
  return useMemo(
    () => ({
      me: me.data,
      loaded: me.data !== undefined,
      can: (permission: string, where?: Where) => can(me.data, permission, where),
      anywhere: (permission: string) => anywhere(me.data, permission),
    }),
    [me.data],
  );
}
