using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Nehr.Core.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class PersonRegisterAndFeeds : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ContributionBatches_SystemId",
                table: "ContributionBatches");

            migrationBuilder.DropIndex(
                name: "IX_ClinicalEntries_SourceSystemId_EntryKind_SourceIdentifier",
                table: "ClinicalEntries");

            migrationBuilder.AddColumn<string>(
                name: "Kind",
                table: "SystemConnections",
                type: "TEXT",
                maxLength: 24,
                nullable: false,
                defaultValue: "ProviderFeed");

            migrationBuilder.AddColumn<string>(
                name: "AliasText",
                table: "Patients",
                type: "TEXT",
                maxLength: 1210,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<DateOnly>(
                name: "DateOfDeath",
                table: "Patients",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "DemographicsConfirmed",
                table: "Patients",
                type: "INTEGER",
                nullable: false,
                defaultValue: true);

            migrationBuilder.AddColumn<int>(
                name: "DemographicsVersion",
                table: "Patients",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<DateTime>(
                name: "EnrolledAtUtc",
                table: "Patients",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "EnrolledByProviderId",
                table: "Patients",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "IsDeceased",
                table: "Patients",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "BundleType",
                table: "ContributionBatches",
                type: "TEXT",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "EntryCount",
                table: "ContributionBatches",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "HttpStatus",
                table: "ContributionBatches",
                type: "INTEGER",
                nullable: false,
                defaultValue: 200);

            migrationBuilder.AddColumn<string>(
                name: "IssueCodes",
                table: "ContributionBatches",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "IssueText",
                table: "ContributionBatches",
                type: "TEXT",
                maxLength: 4000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "KindCounts",
                table: "ContributionBatches",
                type: "TEXT",
                maxLength: 400,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "NotKeptCount",
                table: "ContributionBatches",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "Outcome",
                table: "ContributionBatches",
                type: "TEXT",
                maxLength: 16,
                nullable: false,
                defaultValue: "Accepted");

            migrationBuilder.AddColumn<int>(
                name: "RefusedCount",
                table: "ContributionBatches",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "BodySite",
                table: "ClinicalEntries",
                type: "TEXT",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Conclusion",
                table: "ClinicalEntries",
                type: "TEXT",
                maxLength: 1048576,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "DischargeDisposition",
                table: "ClinicalEntries",
                type: "TEXT",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "EndedAtUtc",
                table: "ClinicalEntries",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Examination",
                table: "ClinicalEntries",
                type: "TEXT",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ExaminationCode",
                table: "ClinicalEntries",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Interpretation",
                table: "ClinicalEntries",
                type: "TEXT",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Outcome",
                table: "ClinicalEntries",
                type: "TEXT",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Procedure",
                table: "ClinicalEntries",
                type: "TEXT",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ProcedureCode",
                table: "ClinicalEntries",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Reason",
                table: "ClinicalEntries",
                type: "TEXT",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ReferenceText",
                table: "ClinicalEntries",
                type: "TEXT",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Report",
                table: "ClinicalEntries",
                type: "TEXT",
                maxLength: 1048576,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ServedBy",
                table: "ClinicalEntries",
                type: "TEXT",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SourceIdentifierHash",
                table: "ClinicalEntries",
                type: "TEXT",
                maxLength: 64,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "SourceStatus",
                table: "ClinicalEntries",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Verification",
                table: "ClinicalEntries",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "VisitClass",
                table: "ClinicalEntries",
                type: "TEXT",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "VisitType",
                table: "ClinicalEntries",
                type: "TEXT",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "WithdrawnAtUtc",
                table: "ClinicalEntries",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "EpisodeKey",
                table: "CareRegistrations",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "ExpiresAtUtc",
                table: "CareRegistrations",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Source",
                table: "CareRegistrations",
                type: "TEXT",
                maxLength: 16,
                nullable: false,
                defaultValue: "Administrator");

            migrationBuilder.AddColumn<int>(
                name: "SystemId",
                table: "CareRegistrations",
                type: "INTEGER",
                nullable: true);

            // Rows from before this migration: their identifiers' hashes (the unique index below holds them; on SQLite
            // the portal supplies nehr_sha256 to the migrating connection), the criticality that used to default to
            // "Unknown" when the source gave none, and the log's entry counts.
            migrationBuilder.Sql("""UPDATE "ClinicalEntries" SET "SourceIdentifierHash" = nehr_sha256("SourceIdentifier");""");
            migrationBuilder.Sql("""UPDATE "ClinicalEntries" SET "Criticality" = 'NotStated' WHERE "Criticality" = 'Unknown';""");
            migrationBuilder.Sql("""UPDATE "ContributionBatches" SET "EntryCount" = "ResourceCount";""");

            migrationBuilder.CreateTable(
                name: "DemographicsChanges",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    PatientId = table.Column<int>(type: "INTEGER", nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 24, nullable: false),
                    Before = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    After = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    ProviderId = table.Column<int>(type: "INTEGER", nullable: true),
                    SystemId = table.Column<int>(type: "INTEGER", nullable: true),
                    ChangedAtUtc = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DemographicsChanges", x => x.Id);
                    table.ForeignKey(
                        name: "FK_DemographicsChanges_Patients_PatientId",
                        column: x => x.PatientId,
                        principalTable: "Patients",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "FormerIdentifiers",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    PatientId = table.Column<int>(type: "INTEGER", nullable: false),
                    Nric = table.Column<string>(type: "TEXT", maxLength: 9, nullable: false),
                    ReplacedAtUtc = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FormerIdentifiers", x => x.Id);
                    table.ForeignKey(
                        name: "FK_FormerIdentifiers_Patients_PatientId",
                        column: x => x.PatientId,
                        principalTable: "Patients",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "IdentityMismatches",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ProviderId = table.Column<int>(type: "INTEGER", nullable: false),
                    SystemId = table.Column<int>(type: "INTEGER", nullable: false),
                    Nric = table.Column<string>(type: "TEXT", maxLength: 9, nullable: true),
                    SourceReference = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    Field = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Message = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    AtUtc = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_IdentityMismatches", x => x.Id);
                    table.ForeignKey(
                        name: "FK_IdentityMismatches_Providers_ProviderId",
                        column: x => x.ProviderId,
                        principalTable: "Providers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_IdentityMismatches_SystemConnections_SystemId",
                        column: x => x.SystemId,
                        principalTable: "SystemConnections",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ContributionBatches_SystemId_Outcome_ReceivedAtUtc",
                table: "ContributionBatches",
                columns: new[] { "SystemId", "Outcome", "ReceivedAtUtc" });

            migrationBuilder.CreateIndex(
                name: "IX_ClinicalEntries_SourceIdentity",
                table: "ClinicalEntries",
                columns: new[] { "SourceSystemId", "SourceIdentifierHash", "EntryKind", "PatientId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_CareRegistrations_SystemId_EpisodeKey_PatientId",
                table: "CareRegistrations",
                columns: new[] { "SystemId", "EpisodeKey", "PatientId" });

            migrationBuilder.CreateIndex(
                name: "IX_DemographicsChanges_PatientId_Version",
                table: "DemographicsChanges",
                columns: new[] { "PatientId", "Version" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_FormerIdentifiers_Nric",
                table: "FormerIdentifiers",
                column: "Nric",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_FormerIdentifiers_PatientId",
                table: "FormerIdentifiers",
                column: "PatientId");

            migrationBuilder.CreateIndex(
                name: "IX_IdentityMismatches_ProviderId_AtUtc",
                table: "IdentityMismatches",
                columns: new[] { "ProviderId", "AtUtc" });

            migrationBuilder.CreateIndex(
                name: "IX_IdentityMismatches_SystemId",
                table: "IdentityMismatches",
                column: "SystemId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "DemographicsChanges");

            migrationBuilder.DropTable(
                name: "FormerIdentifiers");

            migrationBuilder.DropTable(
                name: "IdentityMismatches");

            migrationBuilder.DropIndex(
                name: "IX_ContributionBatches_SystemId_Outcome_ReceivedAtUtc",
                table: "ContributionBatches");

            migrationBuilder.DropIndex(
                name: "IX_ClinicalEntries_SourceIdentity",
                table: "ClinicalEntries");

            migrationBuilder.DropIndex(
                name: "IX_CareRegistrations_SystemId_EpisodeKey_PatientId",
                table: "CareRegistrations");

            migrationBuilder.DropColumn(
                name: "Kind",
                table: "SystemConnections");

            migrationBuilder.DropColumn(
                name: "AliasText",
                table: "Patients");

            migrationBuilder.DropColumn(
                name: "DateOfDeath",
                table: "Patients");

            migrationBuilder.DropColumn(
                name: "DemographicsConfirmed",
                table: "Patients");

            migrationBuilder.DropColumn(
                name: "DemographicsVersion",
                table: "Patients");

            migrationBuilder.DropColumn(
                name: "EnrolledAtUtc",
                table: "Patients");

            migrationBuilder.DropColumn(
                name: "EnrolledByProviderId",
                table: "Patients");

            migrationBuilder.DropColumn(
                name: "IsDeceased",
                table: "Patients");

            migrationBuilder.DropColumn(
                name: "BundleType",
                table: "ContributionBatches");

            migrationBuilder.DropColumn(
                name: "EntryCount",
                table: "ContributionBatches");

            migrationBuilder.DropColumn(
                name: "HttpStatus",
                table: "ContributionBatches");

            migrationBuilder.DropColumn(
                name: "IssueCodes",
                table: "ContributionBatches");

            migrationBuilder.DropColumn(
                name: "IssueText",
                table: "ContributionBatches");

            migrationBuilder.DropColumn(
                name: "KindCounts",
                table: "ContributionBatches");

            migrationBuilder.DropColumn(
                name: "NotKeptCount",
                table: "ContributionBatches");

            migrationBuilder.DropColumn(
                name: "Outcome",
                table: "ContributionBatches");

            migrationBuilder.DropColumn(
                name: "RefusedCount",
                table: "ContributionBatches");

            migrationBuilder.DropColumn(
                name: "BodySite",
                table: "ClinicalEntries");

            migrationBuilder.DropColumn(
                name: "Conclusion",
                table: "ClinicalEntries");

            migrationBuilder.DropColumn(
                name: "DischargeDisposition",
                table: "ClinicalEntries");

            migrationBuilder.DropColumn(
                name: "EndedAtUtc",
                table: "ClinicalEntries");

            migrationBuilder.DropColumn(
                name: "Examination",
                table: "ClinicalEntries");

            migrationBuilder.DropColumn(
                name: "ExaminationCode",
                table: "ClinicalEntries");

            migrationBuilder.DropColumn(
                name: "Interpretation",
                table: "ClinicalEntries");

            migrationBuilder.DropColumn(
                name: "Outcome",
                table: "ClinicalEntries");

            migrationBuilder.DropColumn(
                name: "Procedure",
                table: "ClinicalEntries");

            migrationBuilder.DropColumn(
                name: "ProcedureCode",
                table: "ClinicalEntries");

            migrationBuilder.DropColumn(
                name: "Reason",
                table: "ClinicalEntries");

            migrationBuilder.DropColumn(
                name: "ReferenceText",
                table: "ClinicalEntries");

            migrationBuilder.DropColumn(
                name: "Report",
                table: "ClinicalEntries");

            migrationBuilder.DropColumn(
                name: "ServedBy",
                table: "ClinicalEntries");

            migrationBuilder.DropColumn(
                name: "SourceIdentifierHash",
                table: "ClinicalEntries");

            migrationBuilder.DropColumn(
                name: "SourceStatus",
                table: "ClinicalEntries");

            migrationBuilder.DropColumn(
                name: "Verification",
                table: "ClinicalEntries");

            migrationBuilder.DropColumn(
                name: "VisitClass",
                table: "ClinicalEntries");

            migrationBuilder.DropColumn(
                name: "VisitType",
                table: "ClinicalEntries");

            migrationBuilder.DropColumn(
                name: "WithdrawnAtUtc",
                table: "ClinicalEntries");

            migrationBuilder.DropColumn(
                name: "EpisodeKey",
                table: "CareRegistrations");

            migrationBuilder.DropColumn(
                name: "ExpiresAtUtc",
                table: "CareRegistrations");

            migrationBuilder.DropColumn(
                name: "Source",
                table: "CareRegistrations");

            migrationBuilder.DropColumn(
                name: "SystemId",
                table: "CareRegistrations");

            migrationBuilder.CreateIndex(
                name: "IX_ContributionBatches_SystemId",
                table: "ContributionBatches",
                column: "SystemId");

            migrationBuilder.CreateIndex(
                name: "IX_ClinicalEntries_SourceSystemId_EntryKind_SourceIdentifier",
                table: "ClinicalEntries",
                columns: new[] { "SourceSystemId", "EntryKind", "SourceIdentifier" },
                unique: true);
        }
    }
}
