using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Nehr.Core.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AuditPatientHistoryIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_AuditEvents_PatientId_OccurredAtUtc",
                table: "AuditEvents");

            migrationBuilder.CreateIndex(
                name: "IX_AuditEvents_PatientHistory",
                table: "AuditEvents",
                columns: new[] { "PatientId", "OccurredAtUtc", "EventType", "ActorPersonnelId", "ActorProviderId", "Outcome", "Level", "IsOverride" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_AuditEvents_PatientHistory",
                table: "AuditEvents");

            migrationBuilder.CreateIndex(
                name: "IX_AuditEvents_PatientId_OccurredAtUtc",
                table: "AuditEvents",
                columns: new[] { "PatientId", "OccurredAtUtc" });
        }
    }
}
