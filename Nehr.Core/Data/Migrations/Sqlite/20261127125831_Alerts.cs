using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Nehr.Core.Data.Migrations.Sqlite
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
                type: "TEXT",
                maxLength: 9,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "AlertCases",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Rule = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Severity = table.Column<int>(type: "INTEGER", nullable: false),
                    DedupKey = table.Column<string>(type: "TEXT", maxLength: 120, nullable: false),
                    RaisedAtUtc = table.Column<DateTime>(type: "TEXT", nullable: false),
                    FirstEventAtUtc = table.Column<DateTime>(type: "TEXT", nullable: false),
                    LastEventAtUtc = table.Column<DateTime>(type: "TEXT", nullable: false),
                    EventCount = table.Column<int>(type: "INTEGER", nullable: false),
                    LastSequence = table.Column<long>(type: "INTEGER", nullable: false),
                    PersonnelId = table.Column<int>(type: "INTEGER", nullable: true),
                    ProviderId = table.Column<int>(type: "INTEGER", nullable: true),
                    PatientId = table.Column<int>(type: "INTEGER", nullable: true),
                    Summary = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Findings = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    ClosedBy = table.Column<string>(type: "TEXT", maxLength: 450, nullable: true),
                    ClosedAtUtc = table.Column<DateTime>(type: "TEXT", nullable: true),
                    Version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AlertCases", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "AlertScanState",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false),
                    LastSequence = table.Column<long>(type: "INTEGER", nullable: false),
                    LastScanAtUtc = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AlertScanState", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "FlaggedRecords",
                columns: table => new
                {
                    PatientId = table.Column<int>(type: "INTEGER", nullable: false),
                    Flag = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Note = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    FlaggedBy = table.Column<string>(type: "TEXT", maxLength: 450, nullable: false),
                    FlaggedAtUtc = table.Column<DateTime>(type: "TEXT", nullable: false)
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
                    PersonnelId = table.Column<int>(type: "INTEGER", nullable: false),
                    Day = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    Opens = table.Column<int>(type: "INTEGER", nullable: false),
                    NightOpens = table.Column<int>(type: "INTEGER", nullable: false),
                    BasicSetViews = table.Column<int>(type: "INTEGER", nullable: false),
                    Overrides = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_StaffActivityDays", x => new { x.PersonnelId, x.Day });
                });

            migrationBuilder.CreateTable(
                name: "AlertEvidence",
                columns: table => new
                {
                    CaseId = table.Column<long>(type: "INTEGER", nullable: false),
                    Sequence = table.Column<long>(type: "INTEGER", nullable: false)
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
