/**
 * What the commands report: console tables, JSON results, Markdown pages with charts, and the files they are written
 * to, each appearing only when complete. Internal to the command line; may change without notice.
 */
package dev.sparseinfer.cli.report;
