import { describe, expect, it } from "vitest";

import { isBareView, matchesView, searchOfView, validateMetadataSearch, viewStateOf } from "./search";

const ID = "0b6f8a52-3c1e-4b8e-9a37-5d2f1c0e9a11";

describe("the metadata explorer's URL", () => {
  it("keeps what makes sense and drops defaults and junk", () => {
    expect(
      validateMetadataSearch({ q: " pipeline:train ", entity: "step", contains: "acc", sort: "last_seen", page: "3", key: "accuracy", pipeline: "train", view: ID.toUpperCase(), junk: 1 }),
    ).toEqual({ q: "pipeline:train", entity: "step", contains: "acc", sort: "last_seen", page: 3, key: "accuracy", pipeline: "train", view: ID });
    expect(validateMetadataSearch({ sort: "count", page: 1 })).toEqual({}); // the defaults stay out of the URL
    expect(validateMetadataSearch({ entity: "pipeline", sort: "-count", page: "0", view: "not-a-uuid", q: "   " })).toEqual({});
    expect(validateMetadataSearch({ page: "2.5", key: "", contains: "  " })).toEqual({});
    expect(validateMetadataSearch({ key: 7 })).toEqual({ key: "7" }); // a numeric key in a hand-typed URL
    expect(validateMetadataSearch({ key: "k".repeat(256), pipeline: "p".repeat(256), q: "q".repeat(2001) })).toEqual({});
  });

  it("saves the filters, key and pipeline, not the page or the view", () => {
    expect(viewStateOf({ q: "status:completed", entity: "run", sort: "key", page: 4, key: "loss", view: ID })).toEqual({ q: "status:completed", entity: "run", sort: "key", key: "loss" });
    expect(viewStateOf({})).toEqual({});
  });

  it("opens a stored view as URL state, validated, with its id", () => {
    expect(searchOfView(ID, { q: "pipeline:train", key: "accuracy", pipeline: "train", page: 9, view: "x", extra: true })).toEqual({ q: "pipeline:train", key: "accuracy", pipeline: "train", view: ID });
    // A state edited elsewhere by hand: what this page cannot use is dropped.
    expect(searchOfView(ID, { entity: "pipeline", sort: "best", contains: 3 })).toEqual({ contains: "3", view: ID });
  });

  it("tells a bare view link, and whether the page still shows the view", () => {
    expect(isBareView({ view: ID })).toBe(true);
    expect(isBareView({ view: ID, page: 2 })).toBe(true); // paging is not part of a view
    expect(isBareView({ view: ID, key: "accuracy" })).toBe(false);
    expect(isBareView({})).toBe(false);
    const state = { q: "pipeline:train", key: "accuracy" };
    expect(matchesView({ q: "pipeline:train", key: "accuracy", view: ID, page: 2 }, state)).toBe(true);
    expect(matchesView({ q: "pipeline:train", key: "loss", view: ID }, state)).toBe(false);
    expect(matchesView({ q: "pipeline:train", key: "accuracy", entity: "step" }, state)).toBe(false);
  });
});
