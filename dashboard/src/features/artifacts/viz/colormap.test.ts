import { describe, expect, it } from "vitest";

import { matrixPixels, ticks, viridis } from "./colormap";

describe("colormap", () => {
  it("runs viridis from purple to yellow, clamped", () => {
    expect(viridis(0)).toEqual([68, 1, 84]);
    expect(viridis(1)).toEqual([253, 231, 37]);
    expect(viridis(-3)).toEqual(viridis(0));
  });

  it("paints one pixel per cell and leaves missing cells transparent", () => {
    const px = matrixPixels([[0, null], [10, 5]], 0, 10);
    expect(px.length).toBe(16);
    expect(Array.from(px.slice(0, 4))).toEqual([68, 1, 84, 255]);
    expect(px[7]).toBe(0);
    expect(Array.from(px.slice(8, 12))).toEqual([253, 231, 37, 255]);
  });

  it("picks round ticks", () => {
    expect(ticks(2000)).toEqual([0, 500, 1000, 1500]);
    expect(ticks(7)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(ticks(0)).toEqual([]);
  });
});
