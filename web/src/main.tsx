import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { prefetchStart, prefetchThread } from "./api/client.js";
import { AuthGate } from "./features/auth/auth-gate.js";
import "./styles/global.css";

prefetchStart();
const opened = /^\/t\/([\w-]+)$/.exec(location.pathname)?.[1];
if (opened) prefetchThread(opened);

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <AuthGate />
  </StrictMode>,
);
