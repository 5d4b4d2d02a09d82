import type { PaymentProvider } from "../../common/vk-uni-pay/src/kernel/contract";
import { vkspay } from "../../common/vk-uni-pay/src/providers/vkspay";
import { describeProvider, findProvider, registerLazyProvider } from "../../common/vk-uni-pay/src/providers/registry";

/** Issue 19: the built library registers each built-in provider by its descriptor and loads its file on first use. */
describe("a lazily registered provider", () => {
  const lazyCopy = (name: string) => {
    const provider = Object.freeze({ ...vkspay, name }) as PaymentProvider;
    const descriptor = describeProvider(provider);
    let loads = 0;
    registerLazyProvider(descriptor, () => {
      loads += 1;
      return provider;
    });
    return { descriptor, facade: findProvider(name)!, loads: () => loads };
  };

  it("answers its name, capabilities and which verbs it has without loading", () => {
    const { facade, loads } = lazyCopy("lazy-a");
    expect(facade.name).toBe("lazy-a");
    expect(facade.capabilities).toEqual(vkspay.capabilities);
    expect(typeof facade.checkCreate).toBe("function");
    expect(facade.transfer).toBeUndefined();
    expect(loads()).toBe(0);
  });

  it("loads once, on the first verb or data read, and answers what the provider answers", () => {
    const { facade, loads } = lazyCopy("lazy-b");
    expect(facade.acknowledge(true)).toEqual(vkspay.acknowledge(true));
    expect(facade.acknowledge(false)).toEqual(vkspay.acknowledge(false));
    expect(facade.configReference).toBe(vkspay.configReference);
    expect(loads()).toBe(1);
  });

  it("sorts a provider's keys into verbs and data, so the facade has exactly the provider's keys", () => {
    const { descriptor, facade } = lazyCopy("lazy-c");
    expect(descriptor.methods).toContain("verifyNotify");
    expect(descriptor.data).toEqual(["configReference"]);
    expect(Object.keys(facade).sort()).toEqual(Object.keys(vkspay).sort());
  });

  it("refuses a file that holds another provider than its descriptor names (a stale build)", () => {
    registerLazyProvider({ ...describeProvider(vkspay), name: "lazy-d" }, () => vkspay);
    expect(() => findProvider("lazy-d")!.acknowledge(true)).toThrow("provider file for lazy-d holds vkspay");
  });
});
