/** Logical ids on a dependency cycle of the template (Ref, Fn::GetAtt, DependsOn), or [] when there is none. */
export function cycleIn(template: any): string[] {
  const resources: Record<string, any> = template.Resources;
  const edges = (id: string): string[] => {
    const out = new Set<string>([resources[id].DependsOn ?? []].flat());
    const walk = (v: any) => {
      if (Array.isArray(v)) {v.forEach(walk);} else if (v && typeof v === 'object') {
        if (typeof v.Ref === 'string' && resources[v.Ref]) {
          out.add(v.Ref);
        }
        if (Array.isArray(v['Fn::GetAtt']) && resources[v['Fn::GetAtt'][0]]) out.add(v['Fn::GetAtt'][0]);
        Object.values(v).forEach(walk);
      }
    };
    walk(resources[id].Properties);
    return [...out];
  };
  const state: Record<string, 'visiting' | 'done'> = {};
  const stack: string[] = [];
  const visit = (id: string): string[] => {
    if (state[id] === 'done') return [];
    if (state[id] === 'visiting') return stack.slice(stack.indexOf(id));
    state[id] = 'visiting';
    stack.push(id);
    for (const next of edges(id)) {
      const cycle = visit(next);
      if (cycle.length) return cycle;
    }
    stack.pop();
    state[id] = 'done';
    return [];
  };
  for (const id of Object.keys(resources)) {
    const cycle = visit(id);
    if (cycle.length) return cycle;
  }
  return [];
}
