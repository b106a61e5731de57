// Places (stations, ports, airports, depots) and the capacity registry.
import { z, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../http/env.ts";
import { defineRoute, IdParamSchema, jsonResponse } from "../http/openapi.ts";
import { CapacityInputSchema, CapacityPatchSchema } from "../services/allocation/capacity-schemas.ts";
import { listCapacity, registerCapacity, updateCapacity, withdrawCapacity } from "../services/allocation/capacity.ts";
import { listPlaces, registerPlace } from "../services/places/places.ts";
import { serviceContext } from "./service-context.ts";
import { RegionCodeSchema } from "./schemas.ts";

const PlaceKindSchema = z.enum(["STATION", "PORT", "AIRPORT", "DEPOT", "PICKUP"]).openapi("PlaceKind");

const PlaceSchema = z
  .object({
    id: z.uuid(),
    kind: PlaceKindSchema,
    name: z.string(),
    code: z.string().nullable(),
    regionCode: z.string(),
    lat: z.number(),
    lng: z.number(),
    address: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi("Place");

const PlaceInputSchema = z
  .object({
    kind: PlaceKindSchema,
    name: z.string().trim().min(1).max(60).openapi({ example: "苏州站" }),
    code: z.string().trim().max(10).optional().openapi({ description: "Station telecode, IATA code …", example: "SZH" }),
    regionCode: RegionCodeSchema,
    lat: z.number().min(3).max(54).optional().openapi({ description: "Defaults to the region's coordinates" }),
    lng: z.number().min(73).max(136).optional(),
    address: z.string().trim().max(200).optional(),
  })
  .strict()
  .openapi("PlaceInput");

const ModeSchema = z.enum(["BUS", "SPECIAL_TRAIN", "RESERVED_CARRIAGE", "GROUP_TICKET", "BOAT", "FLIGHT"]).openapi("TransportMode");

const CapacitySchema = z
  .object({
    id: z.uuid(),
    campaignId: z.uuid(),
    operatorOrgId: z.uuid(),
    mode: ModeSchema,
    label: z.string(),
    departureDate: z.string(),
    departureTime: z.string(),
    seats: z.number().int(),
    seatsTaken: z.number().int().openapi({ description: "Seats held in the published allocation (protected)" }),
    details: z.record(z.string(), z.unknown()),
    status: z.enum(["ACTIVE", "WITHDRAWN"]),
    version: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Capacity");

const cityStaff = { kinds: ["CITY_UNION"], minRole: "STAFF" } as const;
const capacityWriters = { kinds: ["CITY_UNION", "TRANSPORT_OPERATOR"], minRole: "STAFF" } as const;
const capacityReaders = { kinds: ["CITY_UNION", "TRANSPORT_OPERATOR"], minRole: "READ_ONLY" } as const;

export function registerCapacityRoutes(app: OpenAPIHono<AppEnv>) {
  app.openapi(
    defineRoute(cityStaff, {
      method: "post",
      path: "/v1/places",
      operationId: "registerPlace",
      tags: ["capacity"],
      summary: "Register a station, port, airport, depot or pickup point (city union)",
      request: { body: { required: true, content: { "application/json": { schema: PlaceInputSchema } } } },
      responses: { 201: jsonResponse(PlaceSchema, "Registered") },
    }),
    async (c) => c.json(await registerPlace(serviceContext(c), c.req.valid("json")), 201),
  );

  app.openapi(
    defineRoute(capacityReaders, {
      method: "get",
      path: "/v1/places",
      operationId: "listPlaces",
      tags: ["capacity"],
      summary: "Places of the caller's city",
      request: { query: z.object({ kind: PlaceKindSchema.optional(), regionCode: RegionCodeSchema.optional() }) },
      responses: { 200: jsonResponse(z.object({ items: z.array(PlaceSchema) }), "Places") },
    }),
    async (c) => c.json({ items: await listPlaces(serviceContext(c), c.req.valid("query")) }, 200),
  );

  app.openapi(
    defineRoute(capacityWriters, {
      method: "post",
      path: "/v1/campaigns/{id}/capacity",
      operationId: "registerCapacity",
      tags: ["capacity"],
      summary: "Register a bus, special train, reserved carriage, group-ticket quota, boat or flight",
      description: "A transport operator registers its own capacity; the city union registers on an operator's behalf (operatorOrgId).",
      request: { params: IdParamSchema, body: { required: true, content: { "application/json": { schema: CapacityInputSchema } } } },
      responses: { 201: jsonResponse(CapacitySchema, "Registered") },
    }),
    async (c) => c.json(await registerCapacity(serviceContext(c), c.req.valid("param").id, c.req.valid("json")), 201),
  );

  app.openapi(
    defineRoute(capacityReaders, {
      method: "get",
      path: "/v1/campaigns/{id}/capacity",
      operationId: "listCapacity",
      tags: ["capacity"],
      summary: "Capacity of a campaign (an operator sees its own)",
      request: { params: IdParamSchema, query: z.object({ mode: ModeSchema.optional(), status: z.enum(["ACTIVE", "WITHDRAWN"]).optional() }) },
      responses: { 200: jsonResponse(z.object({ items: z.array(CapacitySchema) }), "Capacity") },
    }),
    async (c) => c.json({ items: await listCapacity(serviceContext(c), c.req.valid("param").id, c.req.valid("query")) }, 200),
  );

  app.openapi(
    defineRoute(capacityWriters, {
      method: "patch",
      path: "/v1/capacity/{id}",
      operationId: "updateCapacity",
      tags: ["capacity"],
      summary: "Change a capacity; seats taken in the published allocation are protected (409)",
      request: { params: IdParamSchema, body: { required: true, content: { "application/json": { schema: CapacityPatchSchema } } } },
      responses: { 200: jsonResponse(CapacitySchema, "Updated") },
    }),
    async (c) => c.json(await updateCapacity(serviceContext(c), c.req.valid("param").id, c.req.valid("json")), 200),
  );

  app.openapi(
    defineRoute(capacityWriters, {
      method: "post",
      path: "/v1/capacity/{id}/withdraw",
      operationId: "withdrawCapacity",
      tags: ["capacity"],
      summary: "Withdraw a capacity; refused (409) while travellers hold seats on it in the published allocation",
      request: { params: IdParamSchema },
      responses: { 200: jsonResponse(CapacitySchema, "Withdrawn") },
    }),
    async (c) => c.json(await withdrawCapacity(serviceContext(c), c.req.valid("param").id), 200),
  );
}
