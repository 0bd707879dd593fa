// ext://helm_resource: helm_resource() installs a chart with `helm upgrade --install` as a k8s_custom_deploy,
// injecting built images with --set; helm_repo() adds a chart repository as a local resource.
import { Builtin, List, Tuple, typeName, type Value } from '../../starlark';
import { absent, bool, seq, str, strList, unpack } from '../args';
import { labelsArg, linksArg, portForwardsArg } from '../k8s';
import type { TiltfileState } from '../state';
import { invoke } from './call';
import type { Builtins } from './types';

const q = (x: string): string => `'${x.replace(/'/g, `'\\''`)}'`;

export function helmResourceExtension(s: TiltfileState, b: Builtins): Record<string, Value> {
  return {
    helm_resource: new Builtin('helm_resource', (call) => {
      const a = unpack(call, [
        'name', 'chart', 'deps?', 'image_deps?', 'image_keys?', 'flags?', 'namespace?', 'release_name?', 'helm_bin?',
        'resource_deps?', 'labels?', 'port_forwards?', 'links?', 'auto_init?', 'pod_readiness?', 'update_dependencies?',
      ]);
      const name = str(a.name, 'name');
      const chartArg = str(a.chart, 'chart');
      if (!name || !chartArg) throw new Error('helm_resource: name and chart are required');
      const chart = chartArg.startsWith('.') || chartArg.startsWith('/') || s.resolveExists(chartArg) ? s.resolve(chartArg) : chartArg;
      const release = str(a.release_name, 'release_name') || name;
      const ns = str(a.namespace, 'namespace');
      const helm = str(a.helm_bin, 'helm_bin') || 'helm';
      const imageDeps = strList(a.image_deps, 'image_deps');
      const keys = seq(a.image_keys);
      if (keys.length !== imageDeps.length) {
        throw new Error(`helm_resource: image_keys must have one entry per image_deps entry (${imageDeps.length}); got ${keys.length}`);
      }
      const sets: string[] = [];
      keys.forEach((k, i) => {
        if (typeof k === 'string') sets.push(`--set ${q(k)}="$TILT_IMAGE_${i}"`);
        else if ((k instanceof Tuple || k instanceof List) && k.elems.length === 2 && k.elems.every((e) => typeof e === 'string')) {
          const [repo, tag] = k.elems as string[];
          sets.push(`--set ${q(repo!)}="\${TILT_IMAGE_${i}%:*}"`, `--set ${q(tag!)}="\${TILT_IMAGE_${i}##*:}"`);
        } else throw new Error(`helm_resource: image_keys entries must be a string or a (repository, tag) pair; got ${typeName(k)}`);
      });
      const nsFlag = ns ? ` --namespace ${q(ns)} --create-namespace` : '';
      const nsGet = ns ? ` --namespace ${q(ns)}` : '';
      const flags = strList(a.flags, 'flags').map(q).join(' ');
      const depUpdate = bool(a.update_dependencies, 'update_dependencies') ? `${helm} dependency update ${q(chart)} >&2 && ` : '';
      const apply = `${depUpdate}${helm} upgrade --install${nsFlag} ${sets.join(' ')} ${flags} ${q(release)} ${q(chart)} >&2 && ${helm} get manifest${nsGet} ${q(release)}`;
      const del = `${helm} uninstall${nsGet} ${q(release)}`;
      const deps = strList(a.deps, 'deps');
      if (chart.startsWith('/')) deps.push(chart);
      invoke(b, 'k8s_custom_deploy', call, [name], [
        ['apply_cmd', apply], ['delete_cmd', del], ['deps', new List(deps)], ['image_deps', new List(imageDeps)],
      ]);
      const res = s.customDeploys.find((c) => c.name === name)!;
      res.applyCmd.shell = true;
      if (!absent(a.resource_deps)) res.resourceDeps = strList(a.resource_deps, 'resource_deps');
      res.labels = labelsArg(a.labels) ?? [];
      res.portForwards = portForwardsArg(a.port_forwards) ?? [];
      res.links = linksArg(a.links) ?? [];
      res.autoInit = bool(a.auto_init, 'auto_init', true);
      return null;
    }),
    helm_repo: new Builtin('helm_repo', (call) => {
      const a = unpack(call, ['name', 'url', 'resource_name?', 'labels?', 'helm_bin?']);
      const name = str(a.name, 'name');
      const url = str(a.url, 'url');
      const helm = str(a.helm_bin, 'helm_bin') || 'helm';
      const kwargs: Array<[string, Value]> = [['cmd', `${helm} repo add ${q(name)} ${q(url)} --force-update`]];
      if (!absent(a.labels)) kwargs.push(['labels', a.labels]);
      return invoke(b, 'local_resource', call, [str(a.resource_name, 'resource_name') || name], kwargs);
    }),
  };
}
