/**
 * Queries and mutations keyed by the committed tenant. The tenant is the first element of
 * every query key, so nothing cached for one tenant can ever answer for another; the tenant
 * switch also clears the whole cache before the new tenant renders.
 */
import { useMutation, useQuery, useQueryClient, type UseQueryResult } from '@tanstack/react-query';
import { useConsole } from '../app/console-context.ts';

export function useTenantQuery<T>(
  key: readonly unknown[],
  path: string | null,
  options: { enabled?: boolean; method?: string; body?: unknown } = {},
): UseQueryResult<T> {
  const { client, tenant, switching } = useConsole();
  return useQuery<T>({
    queryKey: ['tenant', tenant, ...key],
    queryFn: ({ signal }) => client.request<T>(path as string, { signal, method: options.method ?? 'GET', body: options.body }),
    enabled: path !== null && tenant !== null && switching === null && (options.enabled ?? true),
  });
}

/** A write in the committed tenant; on success the listed query keys of that tenant refetch. */
export function useTenantMutation<TVars, TResult = unknown>(
  describe: (vars: TVars) => { method: string; path: string; body?: unknown },
  invalidate: readonly (readonly unknown[])[] = [],
) {
  const { client, tenant } = useConsole();
  const queryClient = useQueryClient();
  return useMutation<TResult, Error, TVars>({
    mutationFn: (vars) => {
      const { method, path, body } = describe(vars);
      return client.request<TResult>(path, { method, body });
    },
    onSuccess: async () => {
      await Promise.all(invalidate.map((key) => queryClient.invalidateQueries({ queryKey: ['tenant', tenant, ...key] })));
    },
  });
}
