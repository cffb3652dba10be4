using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CareLoop.Server.Platform.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class SearchIndexPendingList : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // New search documents go to the GIN index's pending list, which the inserting statement merges into the
            // index once it exceeds the limit (4 MB by default: a 100 ms stall of intake's group write every few
            // seconds). A 128 kB list is merged often and briefly; vacuum merges it too.
            migrationBuilder.Sql("""ALTER INDEX "IX_TicketSearch_Tokens" SET (gin_pending_list_limit = 128);""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""ALTER INDEX "IX_TicketSearch_Tokens" RESET (gin_pending_list_limit);""");
        }
    }
}
