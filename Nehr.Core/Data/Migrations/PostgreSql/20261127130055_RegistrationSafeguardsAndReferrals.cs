using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Nehr.Core.Data.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class RegistrationSafeguardsAndReferrals : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ClinicalEntries_SourceProviderId",
                table: "ClinicalEntries");

            migrationBuilder.AddColumn<string>(
                name: "ReferralOutcome",
                table: "EmergencyOverrides",
                type: "character varying(2000)",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "ReferralOutcomeRecordedAtUtc",
                table: "EmergencyOverrides",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ReferralOutcomeRecordedBy",
                table: "EmergencyOverrides",
                type: "character varying(450)",
                maxLength: 450,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ReferralPenalty",
                table: "EmergencyOverrides",
                type: "character varying(2000)",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ReferralReference",
                table: "EmergencyOverrides",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ReferredTo",
                table: "EmergencyOverrides",
                type: "character varying(40)",
                maxLength: 40,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "RegistrationId",
                table: "AccessReports",
                type: "bigint",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_ClinicalEntries_SourceProviderId_ContributedAtUtc_PatientId",
                table: "ClinicalEntries",
                columns: new[] { "SourceProviderId", "ContributedAtUtc", "PatientId" });

            migrationBuilder.CreateIndex(
                name: "IX_CareRegistrations_RegisteredAtUtc_ProviderId",
                table: "CareRegistrations",
                columns: new[] { "RegisteredAtUtc", "ProviderId" });

            migrationBuilder.CreateIndex(
                name: "IX_AccessReports_RegistrationId",
                table: "AccessReports",
                column: "RegistrationId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ClinicalEntries_SourceProviderId_ContributedAtUtc_PatientId",
                table: "ClinicalEntries");

            migrationBuilder.DropIndex(
                name: "IX_CareRegistrations_RegisteredAtUtc_ProviderId",
                table: "CareRegistrations");

            migrationBuilder.DropIndex(
                name: "IX_AccessReports_RegistrationId",
                table: "AccessReports");

            migrationBuilder.DropColumn(
                name: "ReferralOutcome",
                table: "EmergencyOverrides");

            migrationBuilder.DropColumn(
                name: "ReferralOutcomeRecordedAtUtc",
                table: "EmergencyOverrides");

            migrationBuilder.DropColumn(
                name: "ReferralOutcomeRecordedBy",
                table: "EmergencyOverrides");

            migrationBuilder.DropColumn(
                name: "ReferralPenalty",
                table: "EmergencyOverrides");

            migrationBuilder.DropColumn(
                name: "ReferralReference",
                table: "EmergencyOverrides");

            migrationBuilder.DropColumn(
                name: "ReferredTo",
                table: "EmergencyOverrides");

            migrationBuilder.DropColumn(
                name: "RegistrationId",
                table: "AccessReports");

            migrationBuilder.CreateIndex(
                name: "IX_ClinicalEntries_SourceProviderId",
                table: "ClinicalEntries",
                column: "SourceProviderId");
        }
    }
}
