import type { FastifyInstance } from "fastify";
import type { User } from "../store/users.js";

declare module "fastify" {
  interface FastifyRequest {
    /** The signed-in user; every store query is scoped by this id. */
    user: User;
  }
}

/** Single-user mode (a laptop on loopback): every request acts as the local user. Sign-in modes replace this. */
export function installLocalUser(app: FastifyInstance, user: User): void {
  app.decorateRequest("user", null as unknown as User);
  app.addHook("onRequest", async (request) => {
    request.user = user;
  });
}
