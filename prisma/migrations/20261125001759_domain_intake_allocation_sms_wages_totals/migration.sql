-- CreateEnum
CREATE TYPE "TicketListStatus" AS ENUM ('DRAFT', 'SUBMITTED', 'VALIDATED', 'ALLOCATED', 'WITHDRAWN');

-- CreateEnum
CREATE TYPE "TransportMode" AS ENUM ('BUS', 'SPECIAL_TRAIN', 'RESERVED_CARRIAGE', 'GROUP_TICKET', 'BOAT', 'FLIGHT');

-- CreateEnum
CREATE TYPE "TravelerStatus" AS ENUM ('ACTIVE', 'REMOVED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "TravelerChangeAction" AS ENUM ('ADD', 'CHANGE', 'REMOVE', 'CANCEL', 'WITHDRAW');

-- CreateEnum
CREATE TYPE "ChangeRequestKind" AS ENUM ('ADDED', 'CHANGED', 'REMOVED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "ImportMode" AS ENUM ('ALL_OR_NOTHING', 'ACCEPT_VALID');

-- CreateEnum
CREATE TYPE "ImportStatus" AS ENUM ('QUEUED', 'RUNNING', 'SUCCEEDED', 'REJECTED', 'FAILED');

-- CreateEnum
CREATE TYPE "PlaceKind" AS ENUM ('STATION', 'PORT', 'AIRPORT', 'DEPOT', 'PICKUP');

-- CreateEnum
CREATE TYPE "CapacityStatus" AS ENUM ('ACTIVE', 'WITHDRAWN');

-- CreateEnum
CREATE TYPE "AllocationRunStatus" AS ENUM ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'PUBLISHED', 'SUPERSEDED');

-- CreateEnum
CREATE TYPE "AssignmentStatus" AS ENUM ('ASSIGNED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "NotificationKind" AS ENUM ('DEPARTURE', 'CHANGE', 'CANCELLATION', 'REMINDER', 'WAGES_RECOVERED');

-- CreateEnum
CREATE TYPE "NotificationStatus" AS ENUM ('PENDING', 'HELD', 'SENDING', 'ACCEPTED', 'SENT', 'DELIVERED', 'UNDELIVERED', 'FAILED', 'SUPPRESSED');

-- CreateEnum
CREATE TYPE "WageCaseSource" AS ENUM ('HOTLINE_12351', 'WALK_IN', 'INSPECTION', 'NATIONAL_CLUE_PLATFORM', 'OTHER');

-- CreateEnum
CREATE TYPE "WageCaseHandler" AS ENUM ('UNION', 'LABOUR_INSPECTION', 'ARBITRATION', 'COURT');

-- CreateEnum
CREATE TYPE "WageCaseStatus" AS ENUM ('REGISTERED', 'ACCEPTED', 'INVESTIGATING', 'MEDIATING', 'TRANSFERRED', 'PARTIALLY_RECOVERED', 'RECOVERED', 'CLOSED', 'REJECTED');

-- CreateEnum
CREATE TYPE "WagePaymentMethod" AS ENUM ('BANK_TRANSFER', 'CASH', 'WAGE_GUARANTEE_FUND', 'GENERAL_CONTRACTOR_ADVANCE', 'OTHER');

-- CreateTable
CREATE TABLE "ticket_lists" (
    "id" UUID NOT NULL,
    "campaign_id" UUID NOT NULL,
    "org_id" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "status" "TicketListStatus" NOT NULL DEFAULT 'SUBMITTED',
    "idempotency_key" TEXT,
    "content_hash" TEXT,
    "version" INTEGER NOT NULL DEFAULT 1,
    "traveler_count" INTEGER NOT NULL DEFAULT 0,
    "created_by" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "withdrawn_at" TIMESTAMPTZ(3),

    CONSTRAINT "ticket_lists_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "travelers" (
    "id" UUID NOT NULL,
    "list_id" UUID NOT NULL,
    "campaign_id" UUID NOT NULL,
    "org_id" UUID NOT NULL,
    "row_number" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "id_sealed" TEXT NOT NULL,
    "id_hash" VARCHAR(64) NOT NULL,
    "id_masked" VARCHAR(18) NOT NULL,
    "mobile_sealed" TEXT NOT NULL,
    "mobile_hash" VARCHAR(64) NOT NULL,
    "mobile_masked" VARCHAR(16) NOT NULL,
    "gender" VARCHAR(1) NOT NULL,
    "birth_date" DATE NOT NULL,
    "destination_code" VARCHAR(6) NOT NULL,
    "destination_text" TEXT,
    "earliest_date" DATE NOT NULL,
    "latest_date" DATE NOT NULL,
    "group_tag" TEXT,
    "preference" "TransportMode",
    "remark" TEXT,
    "status" "TravelerStatus" NOT NULL DEFAULT 'ACTIVE',
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "travelers_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "traveler_changes" (
    "id" BIGSERIAL NOT NULL,
    "list_id" UUID NOT NULL,
    "traveler_id" UUID,
    "action" "TravelerChangeAction" NOT NULL,
    "details" JSONB NOT NULL DEFAULT '{}',
    "actor_label" TEXT NOT NULL,
    "actor_org_id" UUID,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "traveler_changes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "allocation_change_requests" (
    "id" BIGSERIAL NOT NULL,
    "campaign_id" UUID NOT NULL,
    "traveler_id" UUID NOT NULL,
    "kind" "ChangeRequestKind" NOT NULL,
    "source" TEXT NOT NULL,
    "details" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "consumed_by_run_id" UUID,

    CONSTRAINT "allocation_change_requests_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "import_jobs" (
    "id" UUID NOT NULL,
    "campaign_id" UUID NOT NULL,
    "org_id" UUID NOT NULL,
    "list_id" UUID NOT NULL,
    "mode" "ImportMode" NOT NULL DEFAULT 'ALL_OR_NOTHING',
    "status" "ImportStatus" NOT NULL DEFAULT 'QUEUED',
    "file_name" TEXT,
    "file_kind" TEXT NOT NULL,
    "sheet_name" TEXT,
    "file_bytes" INTEGER NOT NULL,
    "file_sha256" TEXT NOT NULL,
    "idempotency_key" TEXT,
    "rows_total" INTEGER,
    "rows_done" INTEGER NOT NULL DEFAULT 0,
    "rows_committed" INTEGER NOT NULL DEFAULT 0,
    "error_count" INTEGER NOT NULL DEFAULT 0,
    "checkpoint_row" INTEGER NOT NULL DEFAULT 0,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "failure" JSONB,
    "created_by" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "import_jobs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "import_file_chunks" (
    "import_id" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "sealed" BYTEA NOT NULL,

    CONSTRAINT "import_file_chunks_pkey" PRIMARY KEY ("import_id","seq")
);

-- CreateTable
CREATE TABLE "import_rejected_rows" (
    "import_id" UUID NOT NULL,
    "row_number" INTEGER NOT NULL,
    "cells_sealed" TEXT NOT NULL,
    "errors" JSONB NOT NULL,

    CONSTRAINT "import_rejected_rows_pkey" PRIMARY KEY ("import_id","row_number")
);

-- CreateTable
CREATE TABLE "places" (
    "id" UUID NOT NULL,
    "city_org_id" UUID NOT NULL,
    "kind" "PlaceKind" NOT NULL,
    "name" TEXT NOT NULL,
    "code" TEXT,
    "region_code" VARCHAR(6) NOT NULL,
    "lat" DOUBLE PRECISION NOT NULL,
    "lng" DOUBLE PRECISION NOT NULL,
    "address" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "places_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "capacities" (
    "id" UUID NOT NULL,
    "campaign_id" UUID NOT NULL,
    "org_id" UUID NOT NULL,
    "mode" "TransportMode" NOT NULL,
    "label" TEXT NOT NULL,
    "departure_date" DATE NOT NULL,
    "departure_minute" INTEGER NOT NULL,
    "seats" INTEGER NOT NULL,
    "details" JSONB NOT NULL,
    "status" "CapacityStatus" NOT NULL DEFAULT 'ACTIVE',
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_by" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "capacities_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "allocation_runs" (
    "id" UUID NOT NULL,
    "campaign_id" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "status" "AllocationRunStatus" NOT NULL DEFAULT 'QUEUED',
    "parameters" JSONB NOT NULL,
    "base_run_id" UUID,
    "progress" INTEGER NOT NULL DEFAULT 0,
    "report" JSONB,
    "diff_summary" JSONB,
    "failure" JSONB,
    "created_by" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "published_at" TIMESTAMPTZ(3),
    "published_by" TEXT,

    CONSTRAINT "allocation_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "vehicles" (
    "id" UUID NOT NULL,
    "run_id" UUID NOT NULL,
    "capacity_id" UUID NOT NULL,
    "campaign_id" UUID NOT NULL,
    "mode" "TransportMode" NOT NULL,
    "label" TEXT NOT NULL,
    "departure_at" TIMESTAMPTZ(3) NOT NULL,
    "route" JSONB NOT NULL,
    "seats_total" INTEGER NOT NULL,
    "seats_used" INTEGER NOT NULL,
    "km" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "departed_at" TIMESTAMPTZ(3),

    CONSTRAINT "vehicles_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "assignments" (
    "id" UUID NOT NULL,
    "run_id" UUID NOT NULL,
    "vehicle_id" UUID NOT NULL,
    "traveler_id" UUID NOT NULL,
    "campaign_id" UUID NOT NULL,
    "org_id" UUID NOT NULL,
    "car" TEXT NOT NULL DEFAULT '',
    "seat" TEXT NOT NULL,
    "drop_stop" INTEGER NOT NULL,
    "drop_region_code" VARCHAR(6) NOT NULL,
    "onward_km" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "status" "AssignmentStatus" NOT NULL DEFAULT 'ASSIGNED',
    "confirmed_at" TIMESTAMPTZ(3),
    "boarded_at" TIMESTAMPTZ(3),
    "cancelled_at" TIMESTAMPTZ(3),

    CONSTRAINT "assignments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "notifications" (
    "id" UUID NOT NULL,
    "campaign_id" UUID NOT NULL,
    "org_id" UUID NOT NULL,
    "kind" "NotificationKind" NOT NULL,
    "dedupe_key" TEXT NOT NULL,
    "traveler_id" UUID,
    "run_id" UUID,
    "wage_case_id" UUID,
    "vehicle_id" UUID,
    "to_sealed" TEXT NOT NULL,
    "to_hash" VARCHAR(64) NOT NULL,
    "to_masked" VARCHAR(16) NOT NULL,
    "body" TEXT NOT NULL,
    "segments" INTEGER NOT NULL,
    "urgent" BOOLEAN NOT NULL DEFAULT false,
    "essential" BOOLEAN NOT NULL DEFAULT true,
    "status" "NotificationStatus" NOT NULL DEFAULT 'PENDING',
    "not_before" TIMESTAMPTZ(3),
    "reference" TEXT NOT NULL,
    "provider" TEXT,
    "provider_sid" TEXT,
    "error_code" TEXT,
    "error_message" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "sending_at" TIMESTAMPTZ(3),
    "accepted_at" TIMESTAMPTZ(3),
    "final_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "notifications_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sms_status_events" (
    "id" BIGSERIAL NOT NULL,
    "provider_sid" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "error_code" TEXT,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sms_status_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sms_inbound" (
    "id" BIGSERIAL NOT NULL,
    "message_sid" TEXT NOT NULL,
    "from_hash" VARCHAR(64) NOT NULL,
    "from_masked" VARCHAR(16) NOT NULL,
    "traveler_id" UUID,
    "org_id" UUID,
    "body" TEXT NOT NULL,
    "intent" TEXT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sms_inbound_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sms_opt_outs" (
    "phone_hash" VARCHAR(64) NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "source" TEXT NOT NULL,

    CONSTRAINT "sms_opt_outs_pkey" PRIMARY KEY ("phone_hash")
);

-- CreateTable
CREATE TABLE "console_messages" (
    "sid" TEXT NOT NULL,
    "to_sealed" TEXT NOT NULL,
    "to_hash" VARCHAR(64) NOT NULL,
    "to_masked" VARCHAR(16) NOT NULL,
    "body" TEXT NOT NULL,
    "direction" TEXT NOT NULL DEFAULT 'outbound',
    "status" TEXT NOT NULL,
    "reference" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "console_messages_pkey" PRIMARY KEY ("sid")
);

-- CreateTable
CREATE TABLE "wage_cases" (
    "id" UUID NOT NULL,
    "case_no" TEXT NOT NULL,
    "campaign_id" UUID,
    "org_id" UUID NOT NULL,
    "reporting_org_id" UUID NOT NULL,
    "source" "WageCaseSource" NOT NULL,
    "employer_name" TEXT NOT NULL,
    "employer_uscc" VARCHAR(18),
    "employer_address" TEXT,
    "employer_district_code" VARCHAR(6),
    "project_name" TEXT,
    "general_contractor" TEXT,
    "general_contractor_uscc" VARCHAR(18),
    "is_construction" BOOLEAN NOT NULL DEFAULT false,
    "workers_affected" INTEGER NOT NULL,
    "migrant_workers_affected" INTEGER NOT NULL,
    "amount_owed_fen" BIGINT NOT NULL,
    "period_start" DATE,
    "period_end" DATE,
    "handler" "WageCaseHandler" NOT NULL DEFAULT 'UNION',
    "status" "WageCaseStatus" NOT NULL DEFAULT 'REGISTERED',
    "reject_reason" TEXT,
    "summary" TEXT,
    "version" INTEGER NOT NULL DEFAULT 1,
    "registered_on" DATE NOT NULL,
    "acceptance_due_on" DATE NOT NULL,
    "resolution_target_on" DATE,
    "accepted_at" TIMESTAMPTZ(3),
    "closed_at" TIMESTAMPTZ(3),
    "recovered_fen" BIGINT NOT NULL DEFAULT 0,
    "workers_paid" INTEGER NOT NULL DEFAULT 0,
    "migrant_workers_paid" INTEGER NOT NULL DEFAULT 0,
    "over_recovery_allowed" BOOLEAN NOT NULL DEFAULT false,
    "escalated_at" TIMESTAMPTZ(3),
    "created_by" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "wage_cases_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "wage_case_workers" (
    "id" UUID NOT NULL,
    "case_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "id_sealed" TEXT NOT NULL,
    "id_hash" VARCHAR(64) NOT NULL,
    "id_masked" VARCHAR(18) NOT NULL,
    "mobile_sealed" TEXT,
    "mobile_hash" VARCHAR(64),
    "mobile_masked" VARCHAR(16),
    "is_migrant" BOOLEAN NOT NULL DEFAULT true,
    "amount_owed_fen" BIGINT,
    "paid_at" TIMESTAMPTZ(3),

    CONSTRAINT "wage_case_workers_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "wage_case_events" (
    "id" BIGSERIAL NOT NULL,
    "case_id" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor_label" TEXT NOT NULL,
    "actor_org_id" UUID,
    "type" TEXT NOT NULL,
    "from_status" "WageCaseStatus",
    "to_status" "WageCaseStatus",
    "note" TEXT,
    "details" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "wage_case_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "wage_payments" (
    "id" UUID NOT NULL,
    "case_id" UUID NOT NULL,
    "amount_fen" BIGINT NOT NULL,
    "paid_on" DATE NOT NULL,
    "workers_paid" INTEGER NOT NULL,
    "migrant_workers_paid" INTEGER NOT NULL,
    "method" "WagePaymentMethod" NOT NULL,
    "over_recovery" BOOLEAN NOT NULL DEFAULT false,
    "note" TEXT,
    "created_by" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "wage_payments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "calendar_years" (
    "year" INTEGER NOT NULL,
    "schedule" JSONB NOT NULL,
    "source" TEXT NOT NULL,
    "loaded_by" TEXT NOT NULL,
    "loaded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "calendar_years_pkey" PRIMARY KEY ("year")
);

-- CreateTable
CREATE TABLE "manual_figures" (
    "id" UUID NOT NULL,
    "campaign_id" UUID NOT NULL,
    "org_id" UUID NOT NULL,
    "figure" TEXT NOT NULL,
    "value" DECIMAL(18,2) NOT NULL,
    "note" TEXT,
    "entered_by" TEXT NOT NULL,
    "entered_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "manual_figures_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "totals_counters" (
    "campaign_id" UUID NOT NULL,
    "org_id" UUID NOT NULL,
    "mode" "TransportMode" NOT NULL,
    "day" DATE NOT NULL,
    "stage" TEXT NOT NULL,
    "persons" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "totals_counters_pkey" PRIMARY KEY ("campaign_id","org_id","mode","day","stage")
);

-- CreateIndex
CREATE INDEX "ticket_lists_campaign_id_org_id_idx" ON "ticket_lists"("campaign_id", "org_id");

-- CreateIndex
CREATE INDEX "ticket_lists_org_id_campaign_id_content_hash_idx" ON "ticket_lists"("org_id", "campaign_id", "content_hash");

-- CreateIndex
CREATE UNIQUE INDEX "ticket_lists_org_id_campaign_id_idempotency_key_key" ON "ticket_lists"("org_id", "campaign_id", "idempotency_key");

-- CreateIndex
CREATE INDEX "travelers_campaign_id_id_hash_idx" ON "travelers"("campaign_id", "id_hash");

-- CreateIndex
CREATE INDEX "travelers_campaign_id_mobile_hash_idx" ON "travelers"("campaign_id", "mobile_hash");

-- CreateIndex
CREATE INDEX "travelers_org_id_campaign_id_idx" ON "travelers"("org_id", "campaign_id");

-- CreateIndex
CREATE INDEX "travelers_campaign_id_status_idx" ON "travelers"("campaign_id", "status");

-- CreateIndex
CREATE UNIQUE INDEX "travelers_list_id_row_number_key" ON "travelers"("list_id", "row_number");

-- CreateIndex
CREATE INDEX "traveler_changes_list_id_at_idx" ON "traveler_changes"("list_id", "at");

-- CreateIndex
CREATE INDEX "traveler_changes_traveler_id_idx" ON "traveler_changes"("traveler_id");

-- CreateIndex
CREATE INDEX "allocation_change_requests_campaign_id_consumed_by_run_id_idx" ON "allocation_change_requests"("campaign_id", "consumed_by_run_id");

-- CreateIndex
CREATE INDEX "allocation_change_requests_traveler_id_idx" ON "allocation_change_requests"("traveler_id");

-- CreateIndex
CREATE INDEX "import_jobs_org_id_campaign_id_created_at_idx" ON "import_jobs"("org_id", "campaign_id", "created_at");

-- CreateIndex
CREATE INDEX "import_jobs_org_id_campaign_id_file_sha256_idx" ON "import_jobs"("org_id", "campaign_id", "file_sha256");

-- CreateIndex
CREATE UNIQUE INDEX "places_city_org_id_kind_name_key" ON "places"("city_org_id", "kind", "name");

-- CreateIndex
CREATE INDEX "capacities_campaign_id_status_idx" ON "capacities"("campaign_id", "status");

-- CreateIndex
CREATE INDEX "capacities_org_id_idx" ON "capacities"("org_id");

-- CreateIndex
CREATE UNIQUE INDEX "capacities_campaign_id_mode_label_departure_date_key" ON "capacities"("campaign_id", "mode", "label", "departure_date");

-- CreateIndex
CREATE INDEX "allocation_runs_campaign_id_status_idx" ON "allocation_runs"("campaign_id", "status");

-- CreateIndex
CREATE UNIQUE INDEX "allocation_runs_campaign_id_seq_key" ON "allocation_runs"("campaign_id", "seq");

-- CreateIndex
CREATE INDEX "vehicles_campaign_id_idx" ON "vehicles"("campaign_id");

-- CreateIndex
CREATE UNIQUE INDEX "vehicles_run_id_capacity_id_key" ON "vehicles"("run_id", "capacity_id");

-- CreateIndex
CREATE INDEX "assignments_campaign_id_org_id_idx" ON "assignments"("campaign_id", "org_id");

-- CreateIndex
CREATE INDEX "assignments_traveler_id_idx" ON "assignments"("traveler_id");

-- CreateIndex
CREATE UNIQUE INDEX "assignments_run_id_traveler_id_key" ON "assignments"("run_id", "traveler_id");

-- CreateIndex
CREATE UNIQUE INDEX "assignments_vehicle_id_car_seat_key" ON "assignments"("vehicle_id", "car", "seat");

-- CreateIndex
CREATE UNIQUE INDEX "notifications_dedupe_key_key" ON "notifications"("dedupe_key");

-- CreateIndex
CREATE UNIQUE INDEX "notifications_reference_key" ON "notifications"("reference");

-- CreateIndex
CREATE UNIQUE INDEX "notifications_provider_sid_key" ON "notifications"("provider_sid");

-- CreateIndex
CREATE INDEX "notifications_campaign_id_status_idx" ON "notifications"("campaign_id", "status");

-- CreateIndex
CREATE INDEX "notifications_org_id_campaign_id_idx" ON "notifications"("org_id", "campaign_id");

-- CreateIndex
CREATE INDEX "notifications_to_hash_created_at_idx" ON "notifications"("to_hash", "created_at");

-- CreateIndex
CREATE INDEX "notifications_vehicle_id_idx" ON "notifications"("vehicle_id");

-- CreateIndex
CREATE INDEX "notifications_traveler_id_idx" ON "notifications"("traveler_id");

-- CreateIndex
CREATE UNIQUE INDEX "sms_status_events_provider_sid_status_key" ON "sms_status_events"("provider_sid", "status");

-- CreateIndex
CREATE UNIQUE INDEX "sms_inbound_message_sid_key" ON "sms_inbound"("message_sid");

-- CreateIndex
CREATE INDEX "sms_inbound_from_hash_idx" ON "sms_inbound"("from_hash");

-- CreateIndex
CREATE INDEX "console_messages_to_hash_created_at_idx" ON "console_messages"("to_hash", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "wage_cases_case_no_key" ON "wage_cases"("case_no");

-- CreateIndex
CREATE INDEX "wage_cases_org_id_status_idx" ON "wage_cases"("org_id", "status");

-- CreateIndex
CREATE INDEX "wage_cases_campaign_id_status_idx" ON "wage_cases"("campaign_id", "status");

-- CreateIndex
CREATE INDEX "wage_cases_status_acceptance_due_on_idx" ON "wage_cases"("status", "acceptance_due_on");

-- CreateIndex
CREATE INDEX "wage_case_workers_id_hash_idx" ON "wage_case_workers"("id_hash");

-- CreateIndex
CREATE UNIQUE INDEX "wage_case_workers_case_id_id_hash_key" ON "wage_case_workers"("case_id", "id_hash");

-- CreateIndex
CREATE INDEX "wage_case_events_case_id_at_idx" ON "wage_case_events"("case_id", "at");

-- CreateIndex
CREATE INDEX "wage_payments_case_id_idx" ON "wage_payments"("case_id");

-- CreateIndex
CREATE UNIQUE INDEX "manual_figures_campaign_id_org_id_figure_key" ON "manual_figures"("campaign_id", "org_id", "figure");

-- AddForeignKey
ALTER TABLE "travelers" ADD CONSTRAINT "travelers_list_id_fkey" FOREIGN KEY ("list_id") REFERENCES "ticket_lists"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "traveler_changes" ADD CONSTRAINT "traveler_changes_list_id_fkey" FOREIGN KEY ("list_id") REFERENCES "ticket_lists"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "import_jobs" ADD CONSTRAINT "import_jobs_list_id_fkey" FOREIGN KEY ("list_id") REFERENCES "ticket_lists"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "import_file_chunks" ADD CONSTRAINT "import_file_chunks_import_id_fkey" FOREIGN KEY ("import_id") REFERENCES "import_jobs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "import_rejected_rows" ADD CONSTRAINT "import_rejected_rows_import_id_fkey" FOREIGN KEY ("import_id") REFERENCES "import_jobs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "vehicles" ADD CONSTRAINT "vehicles_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "allocation_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "assignments" ADD CONSTRAINT "assignments_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "allocation_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "assignments" ADD CONSTRAINT "assignments_vehicle_id_fkey" FOREIGN KEY ("vehicle_id") REFERENCES "vehicles"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "wage_case_workers" ADD CONSTRAINT "wage_case_workers_case_id_fkey" FOREIGN KEY ("case_id") REFERENCES "wage_cases"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "wage_case_events" ADD CONSTRAINT "wage_case_events_case_id_fkey" FOREIGN KEY ("case_id") REFERENCES "wage_cases"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "wage_payments" ADD CONSTRAINT "wage_payments_case_id_fkey" FOREIGN KEY ("case_id") REFERENCES "wage_cases"("id") ON DELETE CASCADE ON UPDATE CASCADE;
