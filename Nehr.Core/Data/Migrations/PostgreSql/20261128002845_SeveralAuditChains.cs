using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Nehr.Core.Data.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class SeveralAuditChains : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropPrimaryKey(
                name: "PK_AuditCheckpoints",
                table: "AuditCheckpoints");

            migrationBuilder.RenameTable(
                name: "AuditCheckpoints",
                newName: "AuditChainCheckpoints");

            migrationBuilder.RenameColumn(
                name: "LastSequence",
                table: "AuditChainHead",
                newName: "LastPosition");

            migrationBuilder.RenameColumn(
                name: "Sequence",
                table: "AuditChainCheckpoints",
                newName: "Position");

            migrationBuilder.AddColumn<int>(
                name: "Chain",
                table: "AuditEvents",
                type: "integer",
                nullable: false,
                defaultValue: 1);

            migrationBuilder.AddColumn<long>(
                name: "Position",
                table: "AuditEvents",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            // Every event written so far is on the first chain, at the position of its number. The trail is
            // append-only in the database: its trigger is set aside for this one statement of the migration.
            migrationBuilder.Sql("""ALTER TABLE "AuditEvents" DISABLE TRIGGER "AuditEvents_NoUpdateOrDelete";""");
            migrationBuilder.Sql("""UPDATE "AuditEvents" SET "Position" = "Sequence";""");
            migrationBuilder.Sql("""ALTER TABLE "AuditEvents" ENABLE TRIGGER "AuditEvents_NoUpdateOrDelete";""");

            // The trail's numbers, handed out to every chain's appenders at once, after the highest so far.
            migrationBuilder.Sql("""CREATE SEQUENCE "AuditEventNumbers" AS bigint;""");
            migrationBuilder.Sql("""SELECT setval('"AuditEventNumbers"', COALESCE((SELECT MAX("Sequence") FROM "AuditEvents"), 0) + 1, false);""");

            migrationBuilder.AddColumn<string>(
                name: "Positions",
                table: "AlertScanState",
                type: "character varying(2000)",
                maxLength: 2000,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<int>(
                name: "Chain",
                table: "AuditChainCheckpoints",
                type: "integer",
                nullable: false,
                defaultValue: 1);

            migrationBuilder.AddColumn<string>(
                name: "Frontier",
                table: "AuditChainCheckpoints",
                type: "character varying(4200)",
                maxLength: 4200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Root",
                table: "AuditChainCheckpoints",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddPrimaryKey(
                name: "PK_AuditChainCheckpoints",
                table: "AuditChainCheckpoints",
                columns: new[] { "Chain", "Position" });

            migrationBuilder.UpdateData(
                table: "AlertScanState",
                keyColumn: "Id",
                keyValue: 1,
                column: "Positions",
                value: "");

            // The alert scanner has judged the first chain up to the last event it judged.
            migrationBuilder.Sql("""UPDATE "AlertScanState" SET "Positions" = '1:' || "LastSequence" WHERE "LastSequence" > 0;""");

            // The checkpoints' append-only triggers keep their table's new name.
            migrationBuilder.Sql("""ALTER TRIGGER "AuditCheckpoints_NoUpdateOrDelete" ON "AuditChainCheckpoints" RENAME TO "AuditChainCheckpoints_NoUpdateOrDelete";""");
            migrationBuilder.Sql("""ALTER TRIGGER "AuditCheckpoints_NoTruncate" ON "AuditChainCheckpoints" RENAME TO "AuditChainCheckpoints_NoTruncate";""");

            migrationBuilder.CreateIndex(
                name: "IX_AuditEvents_Chain_Position",
                table: "AuditEvents",
                columns: new[] { "Chain", "Position" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // Only a trail that never had more than its first chain goes back (its events' positions are their numbers).
            migrationBuilder.Sql("""DROP SEQUENCE IF EXISTS "AuditEventNumbers";""");
            migrationBuilder.Sql("""ALTER TRIGGER "AuditChainCheckpoints_NoUpdateOrDelete" ON "AuditChainCheckpoints" RENAME TO "AuditCheckpoints_NoUpdateOrDelete";""");
            migrationBuilder.Sql("""ALTER TRIGGER "AuditChainCheckpoints_NoTruncate" ON "AuditChainCheckpoints" RENAME TO "AuditCheckpoints_NoTruncate";""");

            migrationBuilder.DropIndex(
                name: "IX_AuditEvents_Chain_Position",
                table: "AuditEvents");

            migrationBuilder.DropPrimaryKey(
                name: "PK_AuditChainCheckpoints",
                table: "AuditChainCheckpoints");

            migrationBuilder.DropColumn(
                name: "Chain",
                table: "AuditEvents");

            migrationBuilder.DropColumn(
                name: "Position",
                table: "AuditEvents");

            migrationBuilder.DropColumn(
                name: "Positions",
                table: "AlertScanState");

            migrationBuilder.DropColumn(
                name: "Chain",
                table: "AuditChainCheckpoints");

            migrationBuilder.DropColumn(
                name: "Frontier",
                table: "AuditChainCheckpoints");

            migrationBuilder.DropColumn(
                name: "Root",
                table: "AuditChainCheckpoints");

            migrationBuilder.RenameTable(
                name: "AuditChainCheckpoints",
                newName: "AuditCheckpoints");

            migrationBuilder.RenameColumn(
                name: "LastPosition",
                table: "AuditChainHead",
                newName: "LastSequence");

            migrationBuilder.RenameColumn(
                name: "Position",
                table: "AuditCheckpoints",
                newName: "Sequence");

            migrationBuilder.AddPrimaryKey(
                name: "PK_AuditCheckpoints",
                table: "AuditCheckpoints",
                column: "Sequence");
        }
    }
}
