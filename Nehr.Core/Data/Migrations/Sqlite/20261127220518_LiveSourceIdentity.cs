using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Nehr.Core.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class LiveSourceIdentity : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ClinicalEntries_SourceIdentity",
                table: "ClinicalEntries");

            migrationBuilder.CreateIndex(
                name: "IX_ClinicalEntries_LiveSourceIdentity",
                table: "ClinicalEntries",
                columns: new[] { "SourceIdentifierHash", "SourceSystemId", "EntryKind" },
                unique: true,
                filter: "\"WithdrawnAtUtc\" IS NULL");

            migrationBuilder.CreateIndex(
                name: "IX_ClinicalEntries_SourceIdentity",
                table: "ClinicalEntries",
                columns: new[] { "SourceIdentifierHash", "SourceSystemId", "EntryKind", "PatientId" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ClinicalEntries_LiveSourceIdentity",
                table: "ClinicalEntries");

            migrationBuilder.DropIndex(
                name: "IX_ClinicalEntries_SourceIdentity",
                table: "ClinicalEntries");

            migrationBuilder.CreateIndex(
                name: "IX_ClinicalEntries_SourceIdentity",
                table: "ClinicalEntries",
                columns: new[] { "SourceSystemId", "SourceIdentifierHash", "EntryKind", "PatientId" },
                unique: true);
        }
    }
}
