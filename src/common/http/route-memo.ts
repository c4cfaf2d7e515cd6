/** A controller class or one of its handlers, as Nest's ExecutionContext hands them out. */
type RouteTarget = object;

/**
 * Something known of a route (a controller class and one of its handlers), kept for as long as
 * both exist. Route metadata is written by decorators when the classes are defined and does not
 * change while the app runs, so what is read from it once holds for every later request; the
 * reads themselves walk reflect-metadata's maps for the handler, then for the class.
 */
export class RouteMemo<T> {
  private readonly byController = new WeakMap<RouteTarget, WeakMap<RouteTarget, T>>();

  get(controller: RouteTarget, handler: RouteTarget): T | undefined {
    return this.byController.get(controller)?.get(handler);
  }

  set(controller: RouteTarget, handler: RouteTarget, value: T): T {
    let byHandler = this.byController.get(controller);
    if (!byHandler) this.byController.set(controller, (byHandler = new WeakMap()));
    byHandler.set(handler, value);
    return value;
  }
}
