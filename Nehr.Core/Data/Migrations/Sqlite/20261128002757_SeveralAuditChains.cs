using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Nehr.Core.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SeveralAuditChains : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.RenameColumn(
                name: "LastSequence",
                table: "AuditChainHead",
                newName: "LastPosition");

            migrationBuilder.AddColumn<int>(
                name: "Chain",
                table: "AuditEvents",
                type: "INTEGER",
                nullable: false,
                defaultValue: 1);

            migrationBuilder.AddColumn<long>(
                name: "Position",
                table: "AuditEvents",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            // Every event written so far is on the first chain, at the position of its number. The trail is
            // append-only in the database: its trigger is set aside for this one statement of the migration.
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS AuditEvents_NoUpdate;");
            migrationBuilder.Sql("UPDATE AuditEvents SET Position = Sequence;");
            migrationBuilder.Sql("CREATE TRIGGER AuditEvents_NoUpdate BEFORE UPDATE ON AuditEvents BEGIN SELECT RAISE(ABORT, 'The audit trail is append-only'); END;");

            migrationBuilder.AddColumn<string>(
                name: "Positions",
                table: "AlertScanState",
                type: "TEXT",
                maxLength: 2000,
                nullable: false,
                defaultValue: "");

            migrationBuilder.UpdateData(
                table: "AlertScanState",
                keyColumn: "Id",
                keyValue: 1,
                column: "Positions",
                value: "");

            // The alert scanner has judged the first chain up to the last event it judged.
            migrationBuilder.Sql("UPDATE AlertScanState SET Positions = '1:' || LastSequence WHERE LastSequence > 0;");

            // The checkpoints become points of chains: a new table (SQLite cannot change a primary key in place; EF's
            // own rebuild would commit on its own and drop the append-only triggers), the first chain's copied in.
            migrationBuilder.Sql("""
                CREATE TABLE "AuditChainCheckpoints" (
                    "Chain" INTEGER NOT NULL,
                    "Position" INTEGER NOT NULL,
                    "CreatedAtUtc" TEXT NOT NULL,
                    "Frontier" TEXT NULL,
                    "Hash" TEXT NOT NULL,
                    "Root" TEXT NULL,
                    CONSTRAINT "PK_AuditChainCheckpoints" PRIMARY KEY ("Chain", "Position")
                );
                """);
            migrationBuilder.Sql("""INSERT INTO "AuditChainCheckpoints" ("Chain", "Position", "CreatedAtUtc", "Hash") SELECT 1, "Sequence", "CreatedAtUtc", "Hash" FROM "AuditCheckpoints";""");
            migrationBuilder.Sql("""DROP TABLE "AuditCheckpoints";""");
            migrationBuilder.Sql("CREATE TRIGGER AuditChainCheckpoints_NoUpdate BEFORE UPDATE ON AuditChainCheckpoints BEGIN SELECT RAISE(ABORT, 'Audit checkpoints are append-only'); END;");
            migrationBuilder.Sql("CREATE TRIGGER AuditChainCheckpoints_NoDelete BEFORE DELETE ON AuditChainCheckpoints BEGIN SELECT RAISE(ABORT, 'Audit checkpoints are append-only'); END;");

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
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS AuditChainCheckpoints_NoUpdate;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS AuditChainCheckpoints_NoDelete;");

            migrationBuilder.DropIndex(
                name: "IX_AuditEvents_Chain_Position",
                table: "AuditEvents");


            migrationBuilder.DropColumn(
                name: "Chain",
                table: "AuditEvents");

            migrationBuilder.DropColumn(
                name: "Position",
                table: "AuditEvents");

            migrationBuilder.DropColumn(
                name: "Positions",
                table: "AlertScanState");





            migrationBuilder.RenameColumn(
                name: "LastPosition",
                table: "AuditChainHead",
                newName: "LastSequence");


            migrationBuilder.Sql("""CREATE TABLE "AuditCheckpoints" ("Sequence" INTEGER NOT NULL CONSTRAINT "PK_AuditCheckpoints" PRIMARY KEY, "Hash" TEXT NOT NULL, "CreatedAtUtc" TEXT NOT NULL);""");
            migrationBuilder.Sql("""INSERT INTO "AuditCheckpoints" ("Sequence", "Hash", "CreatedAtUtc") SELECT "Position", "Hash", "CreatedAtUtc" FROM "AuditChainCheckpoints" WHERE "Chain" = 1;""");
            migrationBuilder.Sql("""DROP TABLE "AuditChainCheckpoints";""");

            migrationBuilder.Sql("CREATE TRIGGER AuditCheckpoints_NoUpdate BEFORE UPDATE ON AuditCheckpoints BEGIN SELECT RAISE(ABORT, 'Audit checkpoints are append-only'); END;");
            migrationBuilder.Sql("CREATE TRIGGER AuditCheckpoints_NoDelete BEFORE DELETE ON AuditCheckpoints BEGIN SELECT RAISE(ABORT, 'Audit checkpoints are append-only'); END;");
        }
    }
}
