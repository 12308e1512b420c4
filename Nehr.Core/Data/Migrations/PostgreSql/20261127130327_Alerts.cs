using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Nehr.Core.Data.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class Alerts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Nric",
                table: "Personnel",
                type: "character varying(9)",
                maxLength: 9,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "AlertCases",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Rule = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Severity = table.Column<int>(type: "integer", nullable: false),
                    DedupKey = table.Column<string>(type: "character varying(120)", maxLength: 120, nullable: false),
                    RaisedAtUtc = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    FirstEventAtUtc = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    LastEventAtUtc = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    EventCount = table.Column<int>(type: "integer", nullable: false),
                    LastSequence = table.Column<long>(type: "bigint", nullable: false),
                    PersonnelId = table.Column<int>(type: "integer", nullable: true),
                    ProviderId = table.Column<int>(type: "integer", nullable: true),
                    PatientId = table.Column<int>(type: "integer", nullable: true),
                    Summary = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    Status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Findings = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    ClosedBy = table.Column<string>(type: "character varying(450)", maxLength: 450, nullable: true),
                    ClosedAtUtc = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    Version = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AlertCases", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "AlertScanState",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false),
                    LastSequence = table.Column<long>(type: "bigint", nullable: false),
                    LastScanAtUtc = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AlertScanState", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "FlaggedRecords",
                columns: table => new
                {
                    PatientId = table.Column<int>(type: "integer", nullable: false),
                    Flag = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Note = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    FlaggedBy = table.Column<string>(type: "character varying(450)", maxLength: 450, nullable: false),
                    FlaggedAtUtc = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FlaggedRecords", x => x.PatientId);
                    table.ForeignKey(
                        name: "FK_FlaggedRecords_Patients_PatientId",
                        column: x => x.PatientId,
                        principalTable: "Patients",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "StaffActivityDays",
                columns: table => new
                {
                    PersonnelId = table.Column<int>(type: "integer", nullable: false),
                    Day = table.Column<DateOnly>(type: "date", nullable: false),
                    Opens = table.Column<int>(type: "integer", nullable: false),
                    NightOpens = table.Column<int>(type: "integer", nullable: false),
                    BasicSetViews = table.Column<int>(type: "integer", nullable: false),
                    Overrides = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_StaffActivityDays", x => new { x.PersonnelId, x.Day });
                });

            migrationBuilder.CreateTable(
                name: "AlertEvidence",
                columns: table => new
                {
                    CaseId = table.Column<long>(type: "bigint", nullable: false),
                    Sequence = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AlertEvidence", x => new { x.CaseId, x.Sequence });
                    table.ForeignKey(
                        name: "FK_AlertEvidence_AlertCases_CaseId",
                        column: x => x.CaseId,
                        principalTable: "AlertCases",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.InsertData(
                table: "AlertScanState",
                columns: new[] { "Id", "LastScanAtUtc", "LastSequence" },
                values: new object[] { 1, null, 0L });

            migrationBuilder.CreateIndex(
                name: "IX_AlertCases_DedupKey",
                table: "AlertCases",
                column: "DedupKey",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_AlertCases_PatientId_Status",
                table: "AlertCases",
                columns: new[] { "PatientId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_AlertCases_Rule_Status",
                table: "AlertCases",
                columns: new[] { "Rule", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_AlertCases_Status_Severity_RaisedAtUtc",
                table: "AlertCases",
                columns: new[] { "Status", "Severity", "RaisedAtUtc" });

            migrationBuilder.CreateIndex(
                name: "IX_StaffActivityDays_Day",
                table: "StaffActivityDays",
                column: "Day");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AlertEvidence");

            migrationBuilder.DropTable(
                name: "AlertScanState");

            migrationBuilder.DropTable(
                name: "FlaggedRecords");

            migrationBuilder.DropTable(
                name: "StaffActivityDays");

            migrationBuilder.DropTable(
                name: "AlertCases");

            migrationBuilder.DropColumn(
                name: "Nric",
                table: "Personnel");
        }
    }
}
