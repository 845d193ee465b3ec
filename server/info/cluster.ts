/** INFO cluster: standalone. */
import type { InfoField } from "./render.ts";

export function clusterSection(): InfoField[] {
  return [["cluster_enabled", 0]];
}
