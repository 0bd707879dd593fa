// The engine's side of Dockerfile image references: the pure parser/rewriter (src/shared/dockerfileRefs.ts) plus
// matching a reference to the image the engine just built, as Tilt matches image refs.
import { matchName, tagOf } from '../../tiltfile/imageRef';

export { dockerfileImageRefs, expandArgs, rewriteDockerfileRefs, type DockerfileImageRef } from '../../shared/dockerfileRefs';

/**
 * A `replace` for rewriteDockerfileRefs: a reference naming one of `deps` (by name, as Tilt matches images: a dep
 * ref without a tag matches any tag, one with a tag only that tag) becomes the ref that dep was built as.
 */
export function builtRefReplacer(deps: ReadonlyArray<{ ref: string; built: string | undefined }>): (ref: string) => string | undefined {
  return (ref) => {
    const name = matchName(ref);
    const tag = tagOf(ref);
    const hit = deps.find((d) => d.built !== undefined && matchName(d.ref) === name && (tagOf(d.ref) === '' || tagOf(d.ref) === tag));
    return hit?.built;
  };
}
