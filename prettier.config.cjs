/** @type {import('prettier').Config} */

// OCA's prettier.config.cjs (OCA/oca-addons-repo-template, Odoo 18), with
// one project override: XML at 4 spaces and 100 columns, as Odoo's own views.
// Whitespace stays significant in XML ("preserve", OCA's): with "ignore",
// prettier rewraps the texts of views and data, which changes their
// translation terms and garbles escaped HTML in fields.
const config = {
  // https://github.com/prettier/prettier/issues/15388#issuecomment-1717746872
  plugins: [require.resolve("@prettier/plugin-xml")],
  bracketSpacing: false,
  printWidth: 88,
  proseWrap: "always",
  semi: true,
  trailingComma: "es5",
  xmlWhitespaceSensitivity: "preserve",
  overrides: [
    {
      files: "*.xml",
      options: {
        printWidth: 100,
        tabWidth: 4,
      },
    },
  ],
};

module.exports = config;
