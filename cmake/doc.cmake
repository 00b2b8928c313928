# The man pages (podns(8) and podns-SUBCOMMAND(8)) and the bash completion,
# written at build time by the command itself (`podns __doc`, a hidden
# subcommand, src/cli/cmd_doc.cc), from the same CLI11 definitions that
# parse the command line: a new option or subcommand is documented and
# completed without anyone writing it twice.
set(PODNS_DOC_DIR ${CMAKE_CURRENT_BINARY_DIR}/doc)
add_custom_command(
  OUTPUT ${PODNS_DOC_DIR}/stamp
  COMMAND ${CMAKE_COMMAND} -E rm -rf ${PODNS_DOC_DIR}/man8
  COMMAND ${CMAKE_COMMAND} -E make_directory ${PODNS_DOC_DIR}/man8
  COMMAND podns-cli __doc man ${PODNS_DOC_DIR}/man8
  COMMAND podns-cli __doc bash-completion ${PODNS_DOC_DIR}/podns.bash
  # Compressed, as Debian installs man pages (man reads either).
  COMMAND sh -c "gzip -9nf '${PODNS_DOC_DIR}'/man8/*.8"
  COMMAND ${CMAKE_COMMAND} -E touch ${PODNS_DOC_DIR}/stamp
  DEPENDS podns-cli
  COMMENT "Writing the man pages and the bash completion from podns's own options"
  VERBATIM)
add_custom_target(podns-doc ALL DEPENDS ${PODNS_DOC_DIR}/stamp)

install(DIRECTORY ${PODNS_DOC_DIR}/man8 DESTINATION ${CMAKE_INSTALL_MANDIR})
install(FILES ${PODNS_DOC_DIR}/podns.bash
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME podns)
