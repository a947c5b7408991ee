export * from "../../packages/client/src/index";
