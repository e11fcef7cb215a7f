-- AlterTable
ALTER TABLE "notes" ADD COLUMN "done" BOOLEAN NOT NULL DEFAULT false;
